using Glassbox.IO;

namespace Glassbox.Web.Roots;

/// <summary>
/// One configured root (models or data): names sent by a client are resolved against it and refused when they would
/// read elsewhere — absolute paths, <c>..</c> escapes, and symbolic links whose real target leaves the root
/// (<see cref="ContainedPath"/>'s rules, applied to folders as well as files).
/// </summary>
internal sealed class RootFolder
{
    /// <summary>A root at <paramref name="folder"/>; <paramref name="what"/> names it in messages ("model root").</summary>
    public RootFolder(string folder, string what)
    {
        What = what;
        Path = System.IO.Path.GetFullPath(folder);
        RealPath = ContainedPath.RealPath(Path, what);
    }

    /// <summary>The root's full path as configured.</summary>
    public string Path { get; }

    /// <summary>The root's real path (links resolved).</summary>
    public string RealPath { get; }

    /// <summary>"model root" or "data root".</summary>
    public string What { get; }

    /// <summary>
    /// The full path of <paramref name="name"/> (a path relative to the root, with '/' separators), checked to stay
    /// inside the root once every link is resolved; a <see cref="GlassboxException"/> otherwise.
    /// </summary>
    public string Resolve(string name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('\0') || name.Contains('\\'))
            throw new GlassboxException($"'{name}' is not a name inside the {What}. Pick one of the listed entries.");
        string full = ContainedPath.ResolveName(Path, name, $"The {What} entry '{name}'");
        if (!Contains(full)) throw new GlassboxException($"'{name}' leads outside the {What} (through a link). Copy it into the {What} instead of linking to it.");
        return full;
    }

    /// <summary>True when <paramref name="fullPath"/> (links resolved) is the root or inside it.</summary>
    public bool Contains(string fullPath)
    {
        string real;
        try { real = ContainedPath.RealPath(fullPath, What); }
        catch (GlassboxException) { return false; }
        return real == RealPath || ContainedPath.IsInside(RealPath, real);
    }

    /// <summary>The name of <paramref name="fullPath"/> relative to the root, with '/' separators.</summary>
    public string NameOf(string fullPath) => System.IO.Path.GetRelativePath(Path, fullPath).Replace('\\', '/');
}

namespace Glassbox.Web.Roots;

/// <summary>
/// One configured root (models or data): names sent by a client are resolved against it and refused when they would
/// read elsewhere — absolute paths, <c>..</c> escapes, and symbolic links whose real target leaves the root (the rules
/// of the library's ContainedPath, applied to folders as well as files).
/// </summary>
internal sealed class RootFolder
{
    private const int MaxLinkHops = 40;

    /// <summary>A root at <paramref name="folder"/>; <paramref name="what"/> names it in messages ("model root").</summary>
    public RootFolder(string folder, string what)
    {
        What = what;
        Path = System.IO.Path.GetFullPath(folder);
        RealPath = Real(Path) ?? throw new GlassboxException($"The {what} '{folder}' goes through more than {MaxLinkHops} symbolic links (a loop?).");
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
        if (System.IO.Path.IsPathRooted(name))
            throw new GlassboxException($"'{name}' is an absolute path; name an entry relative to the {What} (one of the listed entries).");
        string full = System.IO.Path.GetFullPath(System.IO.Path.Combine(Path, name));
        if (!IsInside(Path, full))
            throw new GlassboxException($"'{name}' points outside the {What}; only its entries can be used.");
        if (!Contains(full))
            throw new GlassboxException($"'{name}' leads outside the {What} (through a link). Copy it into the {What} instead of linking to it.");
        return full;
    }

    /// <summary>True when <paramref name="fullPath"/> (links resolved) is the root or inside it.</summary>
    public bool Contains(string fullPath) => Real(fullPath) is { } real && (real == RealPath || IsInside(RealPath, real));

    /// <summary>The name of <paramref name="fullPath"/> relative to the root, with '/' separators.</summary>
    public string NameOf(string fullPath) => System.IO.Path.GetRelativePath(Path, fullPath).Replace('\\', '/');

    private static bool IsInside(string folder, string path)
    {
        string f = System.IO.Path.TrimEndingDirectorySeparator(folder) + System.IO.Path.DirectorySeparatorChar;
        return path.StartsWith(f, StringComparison.Ordinal) && path.Length > f.Length;
    }

    /// <summary>The path with every symbolic link along it resolved (like POSIX realpath); null for a link loop.</summary>
    private static string? Real(string fullPath)
    {
        string path = System.IO.Path.GetFullPath(fullPath);
        for (int hops = 0; ;)
        {
            string root = System.IO.Path.GetPathRoot(path) ?? "";
            string[] parts = path[root.Length..].Split([System.IO.Path.DirectorySeparatorChar, System.IO.Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
            string current = root;
            bool restarted = false;
            for (int i = 0; i < parts.Length; i++)
            {
                string next = System.IO.Path.Combine(current, parts[i]);
                string? target;
                try { target = new FileInfo(next).LinkTarget; }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { target = null; }
                if (target is null)
                {
                    current = next;
                    continue;
                }
                if (++hops > MaxLinkHops) return null;
                path = System.IO.Path.GetFullPath(System.IO.Path.Combine([System.IO.Path.GetFullPath(target, current), .. parts[(i + 1)..]]));
                restarted = true;
                break;
            }
            if (!restarted) return current;
        }
    }
}

using System.Runtime.InteropServices;

namespace Glassbox.IO;

/// <summary>
/// Resolves a file name written inside a description file (a spec's "weights", a sidecar's file names, a report's
/// assets) against that file's folder, and refuses anything that would read elsewhere: absolute paths, <c>..</c>
/// escapes, symbolic links whose real target leaves the folder, and entries that are not regular files (FIFOs,
/// devices, sockets, folders). Messages name the path but never the file's content.
/// </summary>
internal static class ContainedPath
{
    private const int MaxLinkHops = 40;

    /// <summary>
    /// The full path of <paramref name="name"/> inside <paramref name="folder"/>, checked to be a regular file whose
    /// real path (all symbolic links resolved) stays inside the folder's real path. <paramref name="what"/> says
    /// where the name came from (e.g. <c>'spec.json' field "weights"</c>) for the error message.
    /// </summary>
    public static string ResolveFile(string folder, string name, string what)
    {
        string full = ResolveName(folder, name, what);
        if (!File.Exists(full) && !Directory.Exists(full) && new FileInfo(full).LinkTarget is null)
            throw new GlassboxException($"{what} names '{name}', which does not exist in '{folder}'. Put the file there or fix the name.");
        string real = RealPath(full, what);
        string realFolder = RealPath(Path.GetFullPath(folder), what);
        if (!IsInside(realFolder, real))
            throw new GlassboxException($"{what} names '{name}', a link that leads outside '{folder}'. Copy the file into the folder instead of linking to it.");
        if (!IsRegularFile(real))
            throw new GlassboxException($"{what} names '{name}', which is not a regular file (a folder, device, pipe or socket). Name a regular file in '{folder}'.");
        return real;
    }

    /// <summary>
    /// The full path of <paramref name="name"/> inside <paramref name="folder"/>, checked lexically only (for files
    /// about to be written): no absolute path, no <c>..</c> escape, no empty name.
    /// </summary>
    public static string ResolveName(string folder, string name, string what)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Contains('\0'))
            throw new GlassboxException($"{what} is empty or not a file name. Name a file in '{folder}'.");
        if (Path.IsPathRooted(name) || Path.IsPathFullyQualified(name))
            throw new GlassboxException($"{what} is an absolute path ('{name}'); only names relative to '{folder}' are allowed. Copy the file into that folder and name it relatively.");
        string root = Path.GetFullPath(folder);
        string full = Path.GetFullPath(Path.Combine(root, name));
        if (!IsInside(root, full))
            throw new GlassboxException($"{what} ('{name}') points outside '{folder}'; only files inside that folder are allowed. Copy the file into the folder.");
        return full;
    }

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/>'s descendant (both full paths).</summary>
    public static bool IsInside(string folder, string path)
    {
        var cmp = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        string f = Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar;
        return path.StartsWith(f, cmp) && path.Length > f.Length;
    }

    /// <summary>The path with every symbolic link along it resolved (like POSIX realpath), for an existing or missing final entry.</summary>
    public static string RealPath(string fullPath, string what)
    {
        string path = Path.GetFullPath(fullPath);
        for (int hops = 0; ; )
        {
            string root = Path.GetPathRoot(path) ?? "";
            string[] parts = path[root.Length..].Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
            string current = root;
            bool restarted = false;
            for (int i = 0; i < parts.Length; i++)
            {
                string next = Path.Combine(current, parts[i]);
                string? target;
                try { target = new FileInfo(next).LinkTarget; }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { target = null; }
                if (target is null)
                {
                    current = next;
                    continue;
                }
                if (++hops > MaxLinkHops)
                    throw new GlassboxException($"{what}: '{fullPath}' goes through more than {MaxLinkHops} symbolic links (a loop?). Replace the links by the file itself.");
                string resolved = Path.GetFullPath(target, current);
                path = Path.GetFullPath(Path.Combine([resolved, .. parts[(i + 1)..]]));
                restarted = true;
                break;
            }
            if (!restarted) return current;
        }
    }

    /// <summary>True for a regular file (not a folder, device, FIFO or socket); does not follow a final link.</summary>
    public static bool IsRegularFile(string path)
    {
        var info = new FileInfo(path);
        if (!info.Exists || info.LinkTarget is not null || (info.Attributes & (FileAttributes.Directory | FileAttributes.Device)) != 0)
            return false;
        if (OperatingSystem.IsLinux()) return LinuxMode(path) is not { } mode || (mode & 0xF000) == 0x8000;
        if (OperatingSystem.IsMacOS() || OperatingSystem.IsFreeBSD()) return BsdMode(path) is not { } m || (m & 0xF000) == 0x8000;
        return true;
    }

    private static int? LinuxMode(string path)
    {
        // statx has one layout on every Linux architecture: stx_mode is the u16 at byte 28.
        var buf = new byte[256];
        try
        {
            const int AtFdCwd = -100, AtSymlinkNoFollow = 0x100, StatxType = 0x1;
            return Native.statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buf) == 0 ? BitConverter.ToUInt16(buf, 28) : null;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
    }

    private static int? BsdMode(string path)
    {
        // struct stat starts with a 32-bit st_dev followed by the 16-bit st_mode.
        var buf = new byte[512];
        try
        {
            return Native.lstat(path, buf) == 0 ? BitConverter.ToUInt16(buf, 4) : null;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return null;
        }
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
#pragma warning disable CA2101, SYSLIB1054 // UTF-8 path by design; a plain P/Invoke keeps this file self-contained.
        public static extern int statx(int dirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags, uint mask, byte[] buf);

        [DllImport("libc", SetLastError = true)]
        public static extern int lstat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte[] buf);
#pragma warning restore CA2101, SYSLIB1054
    }
}

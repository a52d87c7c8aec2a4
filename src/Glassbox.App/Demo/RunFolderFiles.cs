namespace Glassbox.App;

/// <summary>
/// The files a report may embed or link: only the run folder's own regular files, reached by a relative path without
/// <c>..</c>, with every symbolic link resolved and required to stay inside the folder. Links in the report are
/// http, https or such relative paths; anything else (javascript:, data:, file:, absolute paths) stays plain text.
/// </summary>
internal static class RunFolderFiles
{
    /// <summary>Largest file the report embeds.</summary>
    public const long MaxEmbeddedBytes = 64L << 20;

    private const int MaxLinkHops = 40;

    /// <summary>
    /// The bytes of <paramref name="relative"/> inside <paramref name="root"/>, or null when it does not exist;
    /// throws when the path or a link on it leads out of the folder, or when it is not a regular file.
    /// </summary>
    public static byte[]? Read(string root, string relative)
    {
        string? real = Resolve(root, relative);
        if (real is null) return null;
        return File.ReadAllBytes(real);
    }

    /// <summary>
    /// The real path of <paramref name="relative"/> inside <paramref name="root"/>, or null when nothing is there;
    /// throws a <see cref="GlassboxException"/> naming the problem for paths that leave the folder or non-regular files.
    /// </summary>
    public static string? Resolve(string root, string relative)
    {
        if (!IsPlainRelative(relative))
            throw new GlassboxException($"'{relative}' is not a plain relative path inside the run folder (absolute paths and '..' are refused); the report embeds only the run folder's own files.");
        string realRoot = RealPath(Path.GetFullPath(root), 0);
        string full = Path.GetFullPath(Path.Combine(realRoot, relative));
        if (!File.Exists(full) && !Directory.Exists(full) && new FileInfo(full).LinkTarget is null) return null;
        string real = RealPath(full, 0);
        if (!Inside(realRoot, real))
            throw new GlassboxException($"'{relative}' in '{root}' is a link to '{real}', outside the run folder; the report embeds only the run folder's own files. Remove the link and run the demo again.");
        if (Directory.Exists(real))
            throw new GlassboxException($"'{relative}' in '{root}' is a folder, not a file.");
        if (!File.Exists(real)) return null; // a dangling link inside the folder: nothing to embed
        long length = new FileInfo(real).Length;
        // FIFOs, sockets and devices report a size of 0 (reading a FIFO would block); an empty figure has nothing to show.
        if (length == 0)
            throw new GlassboxException($"'{relative}' in '{root}' is empty or not a regular file (a device, pipe or socket); the report embeds only regular files.");
        if (length > MaxEmbeddedBytes)
            throw new GlassboxException($"'{relative}' in '{root}' is {length} bytes; the report embeds figures of at most {MaxEmbeddedBytes} bytes.");
        return real;
    }

    /// <summary>True for an http(s) URL or a plain relative path inside the folder: safe as a live link.</summary>
    public static bool IsSafeHref(string? href)
    {
        if (string.IsNullOrWhiteSpace(href) || href.Any(c => char.IsControl(c) || char.IsWhiteSpace(c))) return false;
        if (Uri.TryCreate(href, UriKind.Absolute, out var uri) && href.Contains("://", StringComparison.Ordinal))
            return (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && href.StartsWith(uri.Scheme + "://", StringComparison.OrdinalIgnoreCase);
        return IsPlainRelative(href.TrimEnd('/'));
    }

    /// <summary>A relative path of plain segments: no scheme, no root, no '..', no backslashes.</summary>
    private static bool IsPlainRelative(string? path)
    {
        if (string.IsNullOrEmpty(path) || path.Contains(':') || path.Contains('\\') || path.Contains('\0') || Path.IsPathRooted(path) || path.StartsWith('/'))
            return false;
        return path.Split('/').All(s => s.Length > 0 && s != "." && s != "..");
    }

    private static bool Inside(string root, string path)
    {
        string r = Path.TrimEndingDirectorySeparator(root);
        return path.StartsWith(r + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }

    /// <summary>The path with every symbolic link on it resolved (like realpath(3)); missing tails stay as they are.</summary>
    private static string RealPath(string full, int depth)
    {
        if (depth > MaxLinkHops) throw new GlassboxException($"Too many levels of symbolic links at '{full}'.");
        string root = Path.GetPathRoot(full) ?? "/";
        string current = root;
        foreach (string part in full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            current = Path.Combine(current, part);
            string? target = new FileInfo(current).LinkTarget;
            if (target is null) continue;
            string next = Path.GetFullPath(Path.IsPathRooted(target) ? target : Path.Combine(Path.GetDirectoryName(current) ?? root, target));
            current = RealPath(next, depth + 1);
        }
        return current;
    }
}

namespace Glassbox.IO;

/// <summary>
/// Writes files so that readers see either the old content or the complete new one, never a partial file:
/// the data goes to a temporary file in the same folder, is flushed to disk, then renamed over the target.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="write"/>'s output to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        DeleteStale(dir, Path.GetFileName(full));
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(fs);
                fs.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>
    /// Deletes temporary files that writers of <paramref name="name"/> killed before their rename left in
    /// <paramref name="dir"/>: those whose process is gone and that are older than <see cref="AtomicFolder.StaleAfter"/>.
    /// </summary>
    internal static void DeleteStale(string dir, string name)
    {
        try
        {
            foreach (string path in Directory.EnumerateFiles(dir, $".{name}.*.tmp"))
            {
                string[] parts = Path.GetFileName(path)[(name.Length + 2)..^4].Split('.');
                if (parts.Length != 2 || parts[1].Length != 32 || !int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int pid))
                    continue;
                if (pid == Environment.ProcessId || AtomicFolder.IsProcessAlive(pid) || DateTime.UtcNow - File.GetLastWriteTimeUtc(path) < AtomicFolder.StaleAfter)
                    continue;
                File.Delete(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Writes bytes atomically.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    /// <summary>Writes UTF-8 text atomically.</summary>
    public static void WriteAllText(string path, string text)
        => Write(path, s => { using var w = new StreamWriter(s, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true); w.Write(text); });
}

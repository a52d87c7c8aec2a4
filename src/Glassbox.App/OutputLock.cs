using System.Diagnostics;
using System.Globalization;

namespace Glassbox.App;

/// <summary>
/// One run at a time per output folder: <c>.NAME.run.lock</c> beside the folder is created with O_EXCL semantics
/// (<see cref="FileMode.CreateNew"/>), holds the owner's process id, and stays open (and locked) for the whole run; it is
/// deleted on dispose. A lock nobody holds open whose process is gone (or is this process) is stale and taken over.
/// </summary>
public sealed class OutputLock : IDisposable
{
    private readonly FileStream _stream;

    private OutputLock(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>The lock file of <paramref name="folder"/>.</summary>
    public static string LockPath(string folder)
    {
        string full = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(folder));
        string parent = System.IO.Path.GetDirectoryName(full) ?? throw new GlassboxException($"Cannot write into '{folder}': it is a root folder. Pass a folder inside it.");
        return System.IO.Path.Combine(parent, $".{System.IO.Path.GetFileName(full)}.run.lock");
    }

    /// <summary>Takes the lock of <paramref name="folder"/>, or throws a <see cref="GlassboxException"/> naming the run that holds it.</summary>
    public static OutputLock Acquire(string folder)
    {
        string path = LockPath(folder);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        for (int attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 1, FileOptions.DeleteOnClose);
                var text = System.Text.Encoding.ASCII.GetBytes($"{Environment.ProcessId}\n{DateTime.UtcNow:O}\n");
                stream.Write(text);
                stream.Flush();
                return new OutputLock(path, stream);
            }
            catch (IOException) when (File.Exists(path))
            {
                var (pid, since) = Owner(path);
                bool held = IsHeldOpen(path);
                bool ownerGone = pid is null || pid == Environment.ProcessId || !IsProcessAlive(pid.Value);
                if (held || !ownerGone)
                    throw new GlassboxException(
                        $"'{folder}' is being written by another glassbox run (process {pid?.ToString(CultureInfo.InvariantCulture) ?? "?"}" +
                        (since is null ? "" : $", since {since}") + $"); wait for it to finish or pass another -o/--out. (Lock: {path})");
                try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
        }
        throw new GlassboxException($"Could not take the lock '{path}' of '{folder}'; pass another -o/--out.");
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();

    private static (int? Pid, string? Since) Owner(string path)
    {
        try
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1);
            using var reader = new StreamReader(fs);
            string[] lines = reader.ReadToEnd().Split('\n');
            int? pid = int.TryParse(lines[0], NumberStyles.None, CultureInfo.InvariantCulture, out int p) ? p : null;
            return (pid, lines.Length > 1 && lines[1].Length > 0 ? lines[1] : null);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return (null, null);
        }
    }

    // .NET takes a shared advisory lock (flock) for FileShare.Read and an exclusive one for FileShare.None: readers can read
    // the owner while it runs, an exclusive probe cannot.
    private static bool IsHeldOpen(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1);
            return false;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return true;
        }
    }

    private static bool IsProcessAlive(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Glassbox.IO;

/// <summary>Steps of <see cref="AtomicFolder.Write(string, Action{string}, Func{string, bool}, Func{string, bool})"/>, for crash tests.</summary>
internal enum AtomicFolderStep
{
    /// <summary>The lock beside the target is held; nothing written yet.</summary>
    Locked,
    /// <summary>The new content is complete and flushed in the temporary folder.</summary>
    TempWritten,
    /// <summary>The old folder has been renamed to its backup name; the target path is empty.</summary>
    OldMovedAside,
    /// <summary>The new folder has been renamed into place; the backup still exists.</summary>
    NewMovedIn,
    /// <summary>The backup has been deleted.</summary>
    BackupDeleted,
}

/// <summary>
/// Replaces a folder as one unit, so that a crash (kill -9, power loss) at any moment leaves the old content or the new
/// one, never a mix: the new content is written and flushed in <c>.name.pid.guid.saving</c> beside the target, the old
/// folder is renamed to <c>.name.pid.guid.previous</c>, the new one renamed into place, then the backup deleted. A lock
/// file held for the whole write tells live writers from dead ones. <see cref="Recover"/>, run before every write and
/// read, restores a complete backup when the target is missing and deletes what dead writers left behind.
/// </summary>
public static partial class AtomicFolder
{
    /// <summary>How old leftovers of another process, no longer running, must be before they are deleted.</summary>
    public static TimeSpan StaleAfter { get; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Replaces <paramref name="folder"/> by what <paramref name="write"/> puts in the empty folder it is given (and
    /// flushes to disk). <paramref name="isComplete"/> tells whether a folder holds complete content (used to recover);
    /// <paramref name="isOwnEntry"/> tells which names of an existing target may be replaced: any other entry makes the
    /// write refuse, so that a folder holding other files is never swapped away.
    /// </summary>
    public static void Write(string folder, Action<string> write, Func<string, bool> isComplete, Func<string, bool> isOwnEntry)
        => Write(folder, write, isComplete, isOwnEntry, afterStep: null);

    internal static void Write(string folder, Action<string> write, Func<string, bool> isComplete, Func<string, bool> isOwnEntry,
        Action<AtomicFolderStep>? afterStep)
    {
        string full = CheckTarget(folder, isOwnEntry);
        string parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        Recover(full, isComplete);
        CheckTarget(folder, isOwnEntry);

        string name = Path.GetFileName(full);
        string stem = Path.Combine(parent, $".{name}.{Environment.ProcessId}.{Guid.NewGuid():N}");
        string temp = stem + ".saving", backup = stem + ".previous";
        bool crashed = false;
        void Step(AtomicFolderStep s)
        {
            try { afterStep?.Invoke(s); }
            catch { crashed = true; throw; }
        }
        using var held = new FileStream(stem + ".lock", FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        bool movedAside = false;
        try
        {
            Step(AtomicFolderStep.Locked);
            Directory.CreateDirectory(temp);
            write(temp);
            FlushDirectory(temp);
            Step(AtomicFolderStep.TempWritten);
            if (Directory.Exists(full))
            {
                Directory.Move(full, backup);
                movedAside = true;
                FlushDirectory(parent);
                Step(AtomicFolderStep.OldMovedAside);
            }
            Directory.Move(temp, full);
            FlushDirectory(parent);
            Step(AtomicFolderStep.NewMovedIn);
            if (movedAside) Directory.Delete(backup, recursive: true);
            Step(AtomicFolderStep.BackupDeleted);
        }
        catch when (!crashed)
        {
            // An ordinary failure (disk full, permissions): put things back as they were.
            if (movedAside && !Directory.Exists(full)) TryIo(() => Directory.Move(backup, full));
            TryIo(() => { if (Directory.Exists(temp)) Directory.Delete(temp, recursive: true); });
            throw;
        }
    }

    /// <summary>
    /// Throws the <see cref="GlassboxException"/> that writing <paramref name="folder"/> would throw because of the
    /// target itself (a root, the current folder, a file, a folder holding entries <paramref name="isOwnEntry"/> does
    /// not accept); call it before long work whose result will be written there. Returns the full path.
    /// </summary>
    public static string CheckTarget(string folder, Func<string, bool> isOwnEntry)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        if (Path.GetDirectoryName(full) is null)
            throw new GlassboxException($"Cannot write into '{folder}': it is a root folder. Pass a folder inside it.");
        if (string.Equals(full, Path.TrimEndingDirectorySeparator(Environment.CurrentDirectory), StringComparison.Ordinal))
            throw new GlassboxException($"Cannot write into '{folder}': it is the current folder, which is replaced as a whole when saving. Pass a sub-folder such as 'checkpoint'.");
        if (File.Exists(full))
            throw new GlassboxException($"Cannot write into '{folder}': it is a file. Pass a folder path.");
        if (Directory.Exists(full))
        {
            string? foreign = Directory.EnumerateFileSystemEntries(full).Select(Path.GetFileName).FirstOrDefault(n => !isOwnEntry(n!));
            if (foreign is not null)
                throw new GlassboxException($"Cannot write into '{folder}': it holds '{foreign}', which is not part of what is written there, and the folder is replaced as a whole. Use a new or empty folder.");
        }
        return full;
    }

    /// <summary>
    /// Repairs what a writer killed during <see cref="Write(string, Action{string}, Func{string, bool}, Func{string, bool})"/>
    /// left beside <paramref name="folder"/>: when the folder is missing, the newest complete backup (or complete new
    /// content) of a dead writer is renamed into place; leftovers of dead writers are deleted.
    /// </summary>
    public static void Recover(string folder, Func<string, bool> isComplete)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder));
        string? parent = Path.GetDirectoryName(full);
        if (parent is null || !Directory.Exists(parent)) return;
        string name = Path.GetFileName(full);
        List<(string Path, int Pid, string Token, string Kind)> leftovers;
        try
        {
            leftovers = Directory.EnumerateFileSystemEntries(parent, $".{name}.*")
                .Select(p => (p, m: Leftover().Match(Path.GetFileName(p)[(name.Length + 2)..])))
                .Where(x => x.m.Success && Path.GetFileName(x.p).StartsWith($".{name}.", StringComparison.Ordinal))
                .Select(x => (x.p, int.Parse(x.m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), x.m.Groups[2].Value, x.m.Groups[3].Value))
                .ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or OverflowException)
        {
            return;
        }
        if (leftovers.Count == 0) return;
        string Lock(string token, int pid) => Path.Combine(parent, $".{name}.{pid}.{token}.lock");
        bool dead((string Path, int Pid, string Token, string Kind) l) => !IsLocked(Lock(l.Token, l.Pid));

        if (!Directory.Exists(full) && !File.Exists(full))
        {
            // Killed between the two renames: the old content is complete in its backup. A first save killed before
            // its rename has no backup, only complete new content.
            var candidate = leftovers.Where(l => l.Kind == "previous").Concat(leftovers.Where(l => l.Kind == "saving"))
                .Where(l => Directory.Exists(l.Path) && dead(l) && isComplete(l.Path))
                .Select(l => l.Path).FirstOrDefault();
            if (candidate is not null) TryIo(() => Directory.Move(candidate, full));
        }
        foreach (var l in leftovers)
        {
            if (!File.Exists(l.Path) && !Directory.Exists(l.Path)) continue;
            bool ours = l.Pid == Environment.ProcessId;
            // This process holds the lock for as long as it writes; another process may be running in a namespace we
            // cannot see, so its leftovers must also be old.
            bool stale = l.Kind == "lock"
                ? !IsLocked(l.Path) && (ours || (!IsProcessAlive(l.Pid) && Age(l.Path) > StaleAfter))
                : dead(l) && (ours || (!IsProcessAlive(l.Pid) && Age(l.Path) > StaleAfter));
            if (!stale) continue;
            TryIo(() =>
            {
                if (Directory.Exists(l.Path)) Directory.Delete(l.Path, recursive: true);
                else File.Delete(l.Path);
            });
        }
    }

    /// <summary>Flushes a folder's entries (renames, new files) to disk where the OS allows it; best effort.</summary>
    public static void FlushDirectory(string path)
    {
        if (OperatingSystem.IsWindows()) return;
        try
        {
            int fd = Native.open(path, 0);
            if (fd < 0) return;
            Native.fsync(fd);
            Native.close(fd);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
        }
    }

    /// <summary>True when a process with this id is running (visible to this process).</summary>
    internal static bool IsProcessAlive(int pid)
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

    private static bool IsLocked(string lockPath)
    {
        if (!File.Exists(lockPath)) return false;
        try
        {
            using var probe = new FileStream(lockPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1);
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

    private static TimeSpan Age(string path)
    {
        try { return DateTime.UtcNow - (Directory.Exists(path) ? Directory.GetLastWriteTimeUtc(path) : File.GetLastWriteTimeUtc(path)); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return TimeSpan.Zero; }
    }

    private static void TryIo(Action action)
    {
        try { action(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    [GeneratedRegex(@"^(\d{1,10})\.([0-9a-f]{32})\.(saving|previous|lock)$")]
    private static partial Regex Leftover();

    private static class Native
    {
#pragma warning disable CA2101, SYSLIB1054 // UTF-8 path by design; plain P/Invoke keeps this file self-contained.
        [DllImport("libc", SetLastError = true)]
        public static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int fsync(int fd);

        [DllImport("libc", SetLastError = true)]
        public static extern int close(int fd);
#pragma warning restore CA2101, SYSLIB1054
    }
}

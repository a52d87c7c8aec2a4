using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Tests.IO;
using TorchSharp;

namespace Glassbox.Tests.Checkpoints;

/// <summary>A save killed at any step leaves a loadable checkpoint, old or new, and no leftovers once recovered (GitHub issue 8).</summary>
public class CheckpointCrashTests
{
    private sealed class SimulatedCrash : Exception;

    private const int DeadPid = int.MaxValue; // no process has this id

    private static ImageClassifier NewModel(float shift)
    {
        var m = new ImageClassifier(new ModelInfo(Architecture.PooledCnn, 1, 28, 28, MnistFormat.DigitClassNames.ToArray()));
        using (torch.no_grad()) m.Network.parameters().First().fill_(shift);
        return m;
    }

    private static string[] Leftovers(TempDirectory dir) =>
        Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName).Where(n => n!.StartsWith(".ckpt.", StringComparison.Ordinal)).ToArray()!;

    [Theory]
    [InlineData(AtomicFolderStep.Locked, false)]
    [InlineData(AtomicFolderStep.TempWritten, false)]
    [InlineData(AtomicFolderStep.OldMovedAside, false)]
    [InlineData(AtomicFolderStep.NewMovedIn, true)]
    [InlineData(AtomicFolderStep.BackupDeleted, true)]
    internal void OverwriteKilledAtAnyStep_LeavesTheOldOrTheNewCheckpoint(AtomicFolderStep step, bool expectNew)
    {
        using var dir = new TempDirectory();
        string ckpt = dir.File("ckpt");
        using var oldModel = NewModel(0.25f);
        using var newModel = NewModel(-0.5f);
        Checkpoint.Save(ckpt, oldModel);
        string oldSha = Checkpoint.ReadMetadata(ckpt).WeightsSha256;

        Assert.Throws<SimulatedCrash>(() => Checkpoint.Save(ckpt, newModel, null, s => { if (s == step) throw new SimulatedCrash(); }));
        if (step == AtomicFolderStep.OldMovedAside) Assert.False(Directory.Exists(ckpt)); // the crash window of the old two-rename scheme

        var (loaded, meta) = Checkpoint.Load(ckpt);
        using (loaded)
        {
            Assert.Equal(expectNew, meta.WeightsSha256 != oldSha);
            float first = loaded.Network.parameters().First().data<float>()[0];
            Assert.Equal(expectNew ? -0.5f : 0.25f, first);
        }
        Assert.Empty(Leftovers(dir));
        Assert.Equal(new[] { "model.json", "model.safetensors" }, Directory.GetFileSystemEntries(ckpt).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // The next save works normally.
        Checkpoint.Save(ckpt, newModel);
        Assert.NotEqual(oldSha, Checkpoint.ReadMetadata(ckpt).WeightsSha256);
        Assert.Empty(Leftovers(dir));
    }

    [Fact]
    public void FirstSaveKilledAfterWriting_IsRolledForward_AndKilledBeforeWriting_LeavesNothing()
    {
        using var dir = new TempDirectory();
        using var model = NewModel(0.125f);
        Assert.Throws<SimulatedCrash>(() => Checkpoint.Save(dir.File("ckpt"), model, null, s => { if (s == AtomicFolderStep.TempWritten) throw new SimulatedCrash(); }));
        Assert.False(Directory.Exists(dir.File("ckpt")));
        var (loaded, _) = Checkpoint.Load(dir.File("ckpt"));
        loaded.Dispose();
        Assert.Empty(Leftovers(dir));

        using var other = new TempDirectory();
        Assert.Throws<SimulatedCrash>(() => Checkpoint.Save(other.File("ckpt"), model, null, s => { if (s == AtomicFolderStep.Locked) throw new SimulatedCrash(); }));
        Assert.Contains("does not exist", Assert.Throws<GlassboxException>(() => Checkpoint.Load(other.File("ckpt"))).Message);
        Assert.Empty(Leftovers(other));
    }

    [Fact]
    public void LeftoversOfADeadProcess_AreDeletedWhenOld_AndKeptWhileRecentOrLocked()
    {
        using var dir = new TempDirectory();
        using var model = NewModel(0.5f);
        Checkpoint.Save(dir.File("ckpt"), model);
        string oldSaving = dir.File($".ckpt.{DeadPid}.{Guid.NewGuid():N}.saving");
        string freshSaving = dir.File($".ckpt.{DeadPid}.{Guid.NewGuid():N}.saving");
        string lockedStem = dir.File($".ckpt.{Environment.ProcessId}.{Guid.NewGuid():N}");
        foreach (string d in new[] { oldSaving, freshSaving, lockedStem + ".saving" })
        {
            Directory.CreateDirectory(d);
            File.WriteAllBytes(Path.Combine(d, "model.safetensors"), new byte[100]); // half written
        }
        Directory.SetLastWriteTimeUtc(oldSaving, DateTime.UtcNow - AtomicFolder.StaleAfter - TimeSpan.FromMinutes(1));
        using (new FileStream(lockedStem + ".lock", FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose))
        {
            var (loaded, _) = Checkpoint.Load(dir.File("ckpt"));
            loaded.Dispose();
            Assert.False(Directory.Exists(oldSaving));
            Assert.True(Directory.Exists(freshSaving)); // its owner may live in another PID namespace
            Assert.True(Directory.Exists(lockedStem + ".saving")); // a live writer holds its lock
        }
        Checkpoint.Save(dir.File("ckpt"), model); // the lock is released: this process's own leftover is dead
        Assert.False(Directory.Exists(lockedStem + ".saving"));
        Assert.True(Directory.Exists(freshSaving));
    }

    [Fact]
    public void Save_IntoAFolderHoldingOtherFiles_IsRefused_AndTouchesNothing()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("notes.txt"), "mine");
        using var model = NewModel(0.5f);
        var e = Assert.Throws<GlassboxException>(() => Checkpoint.Save(dir.Path, model));
        Assert.Contains("holds 'notes.txt'", e.Message);
        Assert.Equal(e.Message, Assert.Throws<GlassboxException>(() => Checkpoint.CheckCanSave(dir.Path)).Message);
        Assert.Contains("is a file", Assert.Throws<GlassboxException>(() => Checkpoint.CheckCanSave(dir.File("notes.txt"))).Message);
        Checkpoint.CheckCanSave(dir.File("new-folder"));
        Assert.Equal(new[] { "notes.txt" }, Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
    }

    [Fact]
    public void OldStyleTemporaryFiles_AreRemovedByTheNextSave()
    {
        using var dir = new TempDirectory();
        using var model = NewModel(0.5f);
        Checkpoint.Save(dir.File("ckpt"), model);
        File.WriteAllBytes(dir.File($"ckpt/.model.safetensors.{DeadPid}.{Guid.NewGuid():N}.tmp"), new byte[10]);
        Checkpoint.Save(dir.File("ckpt"), model);
        Assert.Equal(new[] { "model.json", "model.safetensors" }, Directory.GetFileSystemEntries(dir.File("ckpt")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AtomicFile_DeletesStaleTemporaryFilesOfDeadWriters()
    {
        using var dir = new TempDirectory();
        string stale = dir.File($".out.txt.{DeadPid}.{Guid.NewGuid():N}.tmp");
        string recent = dir.File($".out.txt.{DeadPid}.{Guid.NewGuid():N}.tmp");
        File.WriteAllText(stale, "half");
        File.WriteAllText(recent, "half");
        File.SetLastWriteTimeUtc(stale, DateTime.UtcNow - AtomicFolder.StaleAfter - TimeSpan.FromMinutes(1));
        AtomicFile.WriteAllText(dir.File("out.txt"), "done");
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(recent));
        Assert.Equal("done", File.ReadAllText(dir.File("out.txt")));
    }
}

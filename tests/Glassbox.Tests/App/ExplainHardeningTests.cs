using System.Text.Json;
using Glassbox.App;
using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Tests.Data;
using Glassbox.Tests.IO;
using Glassbox.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.App;

public class ExplainHardeningTests
{
    private static ModelInfo Mnist => new(Architecture.PooledCnn, 1, 28, 28, MnistFormat.DigitClassNames);

    private static (string Checkpoint, string Input) Setup(TempDirectory dir, int images = 2)
    {
        string ckpt = dir.File("ckpt");
        if (!Directory.Exists(ckpt))
        {
            torch.manual_seed(1);
            using var model = new ImageClassifier(Mnist);
            Checkpoint.Save(ckpt, model);
        }
        var pixels = Enumerable.Range(0, images).SelectMany(i => SampleData.Test.Pixels.AsSpan(i % 100 * 784, 784).ToArray()).ToArray();
        string input = dir.File($"x{images}.npy");
        NpyFile.Write(input, pixels, [images, 28, 28]);
        return (ckpt, input);
    }

    private static string[] Listing(string root) => Directory.EnumerateFileSystemEntries(root)
        .Select(p => Path.GetFileName(p)!).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Explain_EmptyOutputFolder_IsAClearError()
    {
        using var dir = new TempDirectory();
        var (ckpt, input) = Setup(dir);
        var e = Assert.Throws<GlassboxException>(() => ExplainJob.Run(new ExplainRequest(ckpt, input, "", RepoPaths.MnistSample, "saliency")));
        Assert.Contains("-o/--out is empty", e.Message);
        var d = Assert.Throws<GlassboxException>(() => new DemoPipeline(new DemoOptions(DataFolder: RepoPaths.MnistSample, OutputFolder: " ")).Run());
        Assert.Contains("-o/--out is empty", d.Message);
    }

    [Fact]
    public void Threads_AboveFourPerCore_AreRefusedWithTheLimit()
    {
        var e = Assert.Throws<GlassboxException>(() => RunLimits.CheckThreads(100000, cores: 2));
        Assert.Contains("--threads 100000", e.Message);
        Assert.Contains("at most 8", e.Message);
        RunLimits.CheckThreads(8, cores: 2);
        RunLimits.CheckThreads(0, cores: 2);
        using var dir = new TempDirectory();
        var (ckpt, input) = Setup(dir);
        Assert.Contains("--threads 100000", Assert.Throws<GlassboxException>(() =>
            ExplainJob.Run(new ExplainRequest(ckpt, input, dir.File("out"), RepoPaths.MnistSample, "saliency", Threads: 100000))).Message);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public void Explain_HugeBackground_IsRefusedBeforeAllocating_WithTheNumbers()
    {
        using var dir = new TempDirectory();
        var (ckpt, input) = Setup(dir);
        long before = GC.GetTotalAllocatedBytes();
        var e = Assert.Throws<GlassboxException>(() => ExplainJob.Run(new ExplainRequest(ckpt, input, dir.File("out"), RepoPaths.MnistSample, "deep-shap", BackgroundSize: 100_000_000)));
        Assert.True(GC.GetTotalAllocatedBytes() - before < 1L << 30, "refused before allocating the background");
        Assert.Contains("--background-size 100000000", e.Message);
        Assert.Contains("1×28×28 × 4 bytes = 292.1 GB", e.Message);
        Assert.Contains("this process may use", e.Message);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public void MemoryBudget_NamesTheEstimate_AndPassesOrdinaryRuns()
    {
        var info = Mnist;
        var e = Assert.Throws<GlassboxException>(() => MemoryBudget.CheckBackground(1000, info, available: 1 << 20));
        Assert.Contains("1000 background images", e.Message);
        Assert.Contains("1.0 MB", e.Message);
        MemoryBudget.CheckBackground(100, info);
        var entry = MethodCatalog.Default.Get("kernel-shap");
        using var model = new ImageClassifier(info);
        var big = entry.Bind(new Dictionary<string, string> { ["n-samples"] = "100000000" }, new OptionContext(info, model.Device));
        var m = Assert.Throws<GlassboxException>(() => MemoryBudget.CheckMethod(big, info, 10, 64, model));
        Assert.Contains("100000000 samples per input for 64 inputs", m.Message);
        MemoryBudget.CheckMethod(entry.Bind(new Dictionary<string, string>(), new OptionContext(info, model.Device)), info, 10, 64, model);
        var batch = MethodCatalog.Default.Get("saliency").Bind(new Dictionary<string, string> { ["internal-batch-size"] = "1000000" }, new OptionContext(info, model.Device));
        Assert.Contains("--internal-batch-size 1000000", Assert.Throws<GlassboxException>(() => MemoryBudget.CheckMethod(batch, info, 10, 64, model, available: 1L << 30)).Message);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("4294967299")]
    [InlineData("-1")]
    public void Explain_TargetOutsideTheClasses_IsAClearError(string target)
    {
        using var dir = new TempDirectory();
        var (ckpt, input) = Setup(dir);
        var e = Assert.Throws<GlassboxException>(() => ExplainJob.Run(new ExplainRequest(ckpt, input, dir.File("out"), RepoPaths.MnistSample, "saliency", Target: target)));
        Assert.Contains($"--target {target} is not a class of this model", e.Message);
        Assert.Contains("0..9", e.Message);
        Assert.False(Directory.Exists(dir.File("out")));
        Assert.Contains("Unknown class '4294967299'", Assert.Throws<GlassboxException>(() =>
            ExplainJob.Run(new ExplainRequest(ckpt, input, dir.File("out"), RepoPaths.MnistSample, "saliency", Classes: "4294967299"))).Message);
    }

    /// <summary>A model whose logits are NaN for images whose first pixel is 1.</summary>
    private sealed class NaNForBrightCorner(ImageClassifier inner) : IImageModel
    {
        public ModelInfo Info => inner.Info;
        public Device Device => inner.Device;
        public ModelKind Kind => ModelKind.BuiltIn;
        public bool SupportsGradients => true;
        public IReadOnlyList<nn.Module<Tensor, Tensor>>? Layers => null;
        public Tensor Preprocess(Tensor pixels) => inner.Preprocess(pixels);
        public Tensor Forward(Tensor pixels)
        {
            var logits = inner.Forward(pixels);
            var bright = pixels.flatten(1)[.., 0].ge(1.0f).unsqueeze(1);
            return torch.where(bright, torch.full_like(logits, float.NaN), logits);
        }
        public void Dispose() { }
    }

    [Fact]
    public void ExplainStage_NaNOutputs_AreAnError_NotAPrediction()
    {
        using var inner = new ImageClassifier(Mnist);
        using var model = new NaNForBrightCorner(inner);
        var pixels = SampleData.Test.Pixels.AsSpan(0, 3 * 784).ToArray();
        pixels[784] = 1f;
        var e = Assert.Throws<GlassboxException>(() => ExplainStage.Run(model, MethodCatalog.Default.Get("saliency"), new Dictionary<string, string>(),
            pixels, ["a", "b", "c"], p => TargetSelection.PerInput(p), OutputSpace.Logits, 0, () => throw new InvalidOperationException()));
        Assert.Contains("NaN or infinite for 1 of 3 images", e.Message);
        pixels[784] = 0.5f;
        var ok = ExplainStage.Run(model, MethodCatalog.Default.Get("saliency"), new Dictionary<string, string>(),
            pixels, ["a", "b", "c"], p => TargetSelection.PerInput(p), OutputSpace.Logits, 0, () => throw new InvalidOperationException());
        Assert.All(ok.Probabilities, p => Assert.True(float.IsFinite(p)));
    }

    /// <summary>Blocks the first stage until released, so a second run can try the same folder meanwhile.</summary>
    private sealed class Gate : IRunObserver
    {
        public ManualResetEventSlim Entered { get; } = new();
        public ManualResetEventSlim Release { get; } = new();
        public void StageStarted(string stage, double total)
        {
            Entered.Set();
            Release.Wait(TimeSpan.FromSeconds(60));
        }
        public void StageProgress(string stage, double done, string? detail = null) { }
        public void StageFinished(string stage, string summary) { }
    }

    [Fact]
    public async Task Explain_TwoConcurrentRunsIntoOneFolder_OneWinsWhole_TheOtherFailsClearly()
    {
        using var dir = new TempDirectory();
        var (ckpt, input) = Setup(dir);
        string outDir = dir.File("out");
        var gate = new Gate();
        var first = Task.Run(() => ExplainJob.Run(new ExplainRequest(ckpt, input, outDir, RepoPaths.MnistSample, "saliency", Classes: "predicted"), gate));
        Assert.True(gate.Entered.Wait(TimeSpan.FromSeconds(60)), "the first run reached its explain stage");
        var second = Task.Run(() => ExplainJob.Run(new ExplainRequest(ckpt, input, outDir, RepoPaths.MnistSample, "input-x-gradient", Classes: "all", Checks: true)));
        var e = await Assert.ThrowsAsync<GlassboxException>(() => second);
        Assert.Contains("is being written by another glassbox run", e.Message);
        Assert.False(Directory.Exists(outDir), "nothing is in place while the first run works");
        gate.Release.Set();
        await first;

        Assert.Equal(["attributions.npy", "explanation.json", "image_plot.png", "inputs.npy", "outputs.npy", "probabilities.npy", "targets.npy"], Listing(outDir));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "explanation.json")));
        Assert.Equal("saliency", json.RootElement.GetProperty("method").GetString());
        Assert.Equal([2, 1, 1, 28, 28], NpyFile.Read(Path.Combine(outDir, "attributions.npy")).Shape);
        Assert.False(File.Exists(OutputLock.LockPath(outDir)), "the lock is gone after the run");

        // A later run replaces the folder as a whole: no file of the first run survives next to the new ones.
        ExplainJob.Run(new ExplainRequest(ckpt, input, outDir, RepoPaths.MnistSample, "input-x-gradient", Classes: "all", Checks: true));
        using var json2 = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "explanation.json")));
        Assert.Equal("input-x-gradient", json2.RootElement.GetProperty("method").GetString());
        Assert.Equal([2, 10, 1, 28, 28], NpyFile.Read(Path.Combine(outDir, "attributions.npy")).Shape);
    }

    [Fact]
    public void OutputLock_LeftByADeadProcess_IsTakenOver_ALiveOneIsNot()
    {
        using var dir = new TempDirectory();
        string folder = dir.File("out");
        File.WriteAllText(OutputLock.LockPath(folder), "999999999\n2026-01-01T00:00:00Z\n");
        using (var taken = OutputLock.Acquire(folder)) Assert.True(File.Exists(taken.Path));
        Assert.False(File.Exists(OutputLock.LockPath(folder)));

        using var held = OutputLock.Acquire(folder);
        var e = Assert.Throws<GlassboxException>(() => OutputLock.Acquire(folder));
        Assert.Contains($"process {Environment.ProcessId}", e.Message);
    }

    [Fact]
    public void Explain_FailingRun_LeavesTheEarlierRunWhole()
    {
        using var dir = new TempDirectory();
        var (ckpt, input) = Setup(dir);
        string outDir = dir.File("out");
        ExplainJob.Run(new ExplainRequest(ckpt, input, outDir, RepoPaths.MnistSample, "saliency", Classes: "predicted"));
        var before = Listing(outDir).Select(f => (f, File.ReadAllBytes(Path.Combine(outDir, f)))).ToList();
        Assert.Throws<GlassboxException>(() => ExplainJob.Run(new ExplainRequest(ckpt, input, outDir, RepoPaths.MnistSample, "saliency", Target: "10")));
        Assert.Equal(before.Select(b => b.f), Listing(outDir));
        foreach (var (f, bytes) in before) Assert.Equal(bytes, File.ReadAllBytes(Path.Combine(outDir, f)));
    }

    private sealed class Recorder : IRunObserver
    {
        public List<(string Stage, double Total)> Started { get; } = [];
        public List<(string Stage, double Done, string? Detail)> Progress { get; } = [];
        public void StageStarted(string stage, double total) => Started.Add((stage, total));
        public void StageProgress(string stage, double done, string? detail = null) => Progress.Add((stage, done, detail));
        public void StageFinished(string stage, string summary) { }
    }

    private static (int Width, int Height) PngSize(string path)
    {
        var b = File.ReadAllBytes(path);
        return ((b[16] << 24) | (b[17] << 16) | (b[18] << 8) | b[19], (b[20] << 24) | (b[21] << 16) | (b[22] << 8) | b[23]);
    }

    [Fact]
    public void Explain_300Images_InChunks_EqualsOneUnchunkedRun_AndPlotsTheFirst16Rows()
    {
        using var dir = new TempDirectory();
        var (ckpt, input) = Setup(dir, 300);
        var observer = new Recorder();
        var chunked = ExplainJob.Run(new ExplainRequest(ckpt, input, dir.File("chunked"), RepoPaths.MnistSample, "saliency", Classes: "predicted", ChunkSize: 64), observer);
        var whole = ExplainJob.Run(new ExplainRequest(ckpt, input, dir.File("whole"), RepoPaths.MnistSample, "saliency", Classes: "predicted", ChunkSize: 0));

        Assert.Equal(File.ReadAllBytes(dir.File("whole/attributions.npy")), File.ReadAllBytes(dir.File("chunked/attributions.npy")));
        Assert.Equal([300, 1, 1, 28, 28], NpyFile.Read(dir.File("chunked/attributions.npy")).Shape);
        Assert.Equal(File.ReadAllBytes(dir.File("whole/targets.npy")), File.ReadAllBytes(dir.File("chunked/targets.npy")));
        Assert.Equal(File.ReadAllBytes(dir.File("whole/probabilities.npy")), File.ReadAllBytes(dir.File("chunked/probabilities.npy")));

        // Only the plotted rows' maps stay in memory; the stage counts images and advances per chunk with a rate and ETA.
        Assert.Equal(16, chunked.RowsInMemory);
        Assert.Equal(16 * 784, chunked.Explanation.Values.Length);
        Assert.Equal(300, chunked.Explanation.Count);
        Assert.Equal(("saliency", 300.0), observer.Started.Single());
        var perChunk = observer.Progress.Where(p => p.Detail is not null).ToList();
        Assert.Equal([64.0, 128, 192, 256, 300], perChunk.Select(p => p.Done));
        Assert.Contains("img/s", perChunk[0].Detail);
        Assert.Contains("left", perChunk[0].Detail);

        // The plot shows 16 rows: the same size as the plot of a 16-image run.
        Assert.Equal(16, chunked.PlotRows);
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("chunked/explanation.json")));
        Assert.Equal(16, json.RootElement.GetProperty("plotRows").GetInt32());
        var (_, input16) = Setup(dir, 16);
        ExplainJob.Run(new ExplainRequest(ckpt, input16, dir.File("sixteen"), RepoPaths.MnistSample, "saliency", Classes: "predicted"));
        Assert.Equal(PngSize(dir.File("sixteen/image_plot.png")), PngSize(dir.File("chunked/image_plot.png")));
        Assert.Equal(PngSize(dir.File("sixteen/image_plot.png")), PngSize(dir.File("whole/image_plot.png")));
    }

    [Fact]
    public void Explain_PlotTooLargeToDraw_StillWritesEveryArrayAndTheSummary_AndSaysWhy()
    {
        using var dir = new TempDirectory();
        var (ckpt, input) = Setup(dir, 200);
        var r = ExplainJob.Run(new ExplainRequest(ckpt, input, dir.File("out"), RepoPaths.MnistSample, "saliency", Classes: "predicted", PlotRows: 200));
        Assert.Equal(0, r.PlotRows);
        Assert.Contains("The image plot would be", Assert.Single(r.Warnings));
        Assert.False(File.Exists(dir.File("out/image_plot.png")));
        Assert.Equal([200, 1, 1, 28, 28], NpyFile.Read(dir.File("out/attributions.npy")).Shape);
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("out/explanation.json")));
        Assert.Contains("--plot-rows", json.RootElement.GetProperty("plotError").GetString());
    }

    [Fact]
    public void NpyStreamWriter_WritesWhatNumPyReads_AndNothingWhenIncomplete()
    {
        using var dir = new TempDirectory();
        var data = Enumerable.Range(0, 2 * 3 * 5).Select(i => i * 0.5f - 3).ToArray();
        using (var w = new NpyStreamWriter(dir.File("a.npy"), [2, 3, 5]))
        {
            w.Append(data.AsSpan(0, 7));
            w.Append(data.AsSpan(7));
            Assert.False(File.Exists(dir.File("a.npy")), "the file appears only when complete");
            w.Complete();
        }
        var a = NpyFile.Read(dir.File("a.npy"));
        Assert.Equal([2, 3, 5], a.Shape);
        Assert.Equal(data, a.ToFloat32());
        Assert.Equal(0, (int)(new FileInfo(dir.File("a.npy")).Length - data.Length * 4) % 64);

        using (var w = new NpyStreamWriter(dir.File("b.npy"), [4]))
        {
            w.Append([1f, 2f]);
            Assert.Throws<InvalidOperationException>(() => w.Complete());
        }
        Assert.Empty(Directory.EnumerateFiles(dir.Path, "*b.npy*", SearchOption.AllDirectories));
    }
}

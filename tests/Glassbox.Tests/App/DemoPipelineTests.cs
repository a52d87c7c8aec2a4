using System.Text.Json;
using Glassbox.App;
using Glassbox.Attribution;
using Glassbox.Attribution.Propagation;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Tests.Cli;
using Glassbox.Tests.IO;
using Glassbox.Tests.Training;
using Glassbox.Training;
using TorchSharp;

namespace Glassbox.Tests.App;

[Collection(SerialCollection.Name)]
public class DemoPipelineTests
{
    /// <summary>A small MNIST-format folder: the first 400 training and 40 test images of the shipped sample.</summary>
    private static string TinyMnist(TempDirectory dir)
    {
        string folder = dir.File("tiny-mnist");
        Directory.CreateDirectory(folder);
        void Write(string prefix, ImageDataset set, int n)
        {
            byte[] px = set.Pixels.AsSpan(0, n * 784).ToArray().Select(v => (byte)Math.Round(v * 255)).ToArray();
            IdxFile.Write(Path.Combine(folder, $"{prefix}-images-idx3-ubyte"), [n, 28, 28], px, gzip: false);
            IdxFile.Write(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte"), [n], set.Labels.Take(n).Select(l => (byte)l).ToArray(), gzip: false);
        }
        Write("train", SampleData.Train, 400);
        Write("t10k", SampleData.Test, 40);
        return folder;
    }

    private static DemoOptions Tiny(string data, string output, string method = "deep-shap")
        => new(DataFolder: data, OutputFolder: output, Architecture: Architecture.PooledCnn, Epochs: 1, BatchSize: 64,
            BackgroundSize: 8, PlotImages: 2, ReliabilityImages: 6, Method: method);

    private static string[] Listing(string root) => Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories)
        .Select(p => Path.GetRelativePath(root, p).Replace('\\', '/')).Order(StringComparer.Ordinal).ToArray();

    [Fact]
    public void Demo_DeepShapThroughTheCatalog_WritesTheSharedLayout_AndMatchesDeepShapBuiltByHand()
    {
        using var dir = new TempDirectory();
        string data = TinyMnist(dir), outDir = dir.File("run");
        var metrics = new DemoPipeline(Tiny(data, outDir)).Run();

        Assert.Equal(
        [
            "additivity_errors.png", "attributions.npy", "base_values.npy", "deletion_curves.png", "expected_value.npy", "explanation.json",
            "force_plot.html", "force_plot.svg", "image_plot.png", "inputs.npy", "labels.npy", "metrics.json",
            "model-a", "model-a/model.json", "model-a/model.safetensors", "model-b", "model-b/model.json", "model-b/model.safetensors",
            "outputs.npy", "probabilities.npy", "report.html", "shap_values.npy", "targets.npy", "training_history.png",
            "validation", "validation/attributions_model_a.npy", "validation/attributions_model_b.npy", "validation/inputs.npy", "validation/labels.npy",
        ], Listing(outDir));
        foreach (var (key, file) in metrics.Files)
            Assert.True(File.Exists(Path.Combine(outDir, file)) || Directory.Exists(Path.Combine(outDir, file)), $"{key}: {file}");
        Assert.True(metrics.DeepShap.Additivity!.Holds);
        Assert.True(metrics.Reliability.AdditivityModelA!.Holds && metrics.Reliability.AdditivityModelB!.Holds);
        Assert.Equal(6, metrics.Reliability.Images);
        Assert.Equal(8, metrics.DeepShap.BackgroundSize);

        // The catalog's deep-shap equals DeepShap built by hand on the saved model A with the demo's background.
        var shap = NpyFile.Read(Path.Combine(outDir, "shap_values.npy"));
        Assert.Equal([2, 10, 1, 28, 28], shap.Shape);
        Assert.Equal(shap.ToFloat32(), NpyFile.Read(Path.Combine(outDir, "attributions.npy")).ToFloat32());
        var train = MnistFormat.LoadFolder(data, "train");
        var (subsetIdx, _) = StratifiedSplit.Split(train.Labels, 0.8, 42);
        var subset = train.Subset(subsetIdx);
        var (model, _) = Checkpoint.Load(Path.Combine(outDir, "model-a"));
        using (model)
        {
            using var background = Trainer.ToTensor(subset.Subset(Sampling.SampleIndices(subset.Count, 8, 0)), model.Device);
            using var x = Trainer.ToTensor(MnistFormat.LoadFolder(data, "test").Take(2), model.Device);
            var byHand = new DeepShap(model, background, new DeepShapOptions(PairsPerChunk: 200)).Explain(x, TargetSelection.AllClasses);
            var values = shap.ToFloat32();
            for (int i = 0; i < values.Length; i++) Assert.Equal(byHand.Values[i], values[i], 1e-5f);
            Assert.Equal(new DeepShap(model, background).ExpectedValue, (double[])NpyFile.Read(Path.Combine(outDir, "expected_value.npy")).Data, new ToleranceComparer(1e-6));
        }

        // The report is built from metrics.json alone: rebuilding it gives the same page.
        string report = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("DeepSHAP explanations", report);
        Assert.Contains("data:image/png;base64", report);
        Assert.Equal(report, File.ReadAllText(ReportBuilder.Rebuild(outDir)));
    }

    [Fact]
    public void Demo_WithIntegratedGradients_RunsTheSameStages_AndNamesTheMethod()
    {
        using var dir = new TempDirectory();
        string data = TinyMnist(dir), outDir = dir.File("run");
        var metrics = new DemoPipeline(Tiny(data, outDir, "integrated-gradients")).Run();
        Assert.Equal("integrated-gradients", metrics.Settings.Method);
        Assert.False(File.Exists(Path.Combine(outDir, "shap_values.npy")));
        Assert.Equal([2, 10, 1, 28, 28], NpyFile.Read(Path.Combine(outDir, "attributions.npy")).Shape);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "explanation.json")));
        Assert.Equal("integrated-gradients", json.RootElement.GetProperty("method").GetString());
        Assert.Equal("IntegratedGradients", json.RootElement.GetProperty("methodClass").GetString());
        Assert.Equal(0, metrics.DeepShap.BackgroundSize); // IG uses one baseline, not a background
        // IG's errors are convergence deltas: reported, not failures.
        Assert.True(metrics.Reliability.AdditivityModelA!.Holds);
        Assert.Equal(6, metrics.Reliability.DeletionModelA.Images);
        string report = File.ReadAllText(Path.Combine(outDir, "report.html"));
        Assert.Contains("integrated-gradients explanations", report);
        Assert.DoesNotContain("DeepSHAP", report);
    }

    [Fact]
    public void Demo_UnknownMethod_FailsBeforeTraining()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<GlassboxException>(() => new DemoPipeline(Tiny(dir.File("no-data"), dir.File("run"), "integrated-gradient")).Run());
        Assert.Contains("Unknown method 'integrated-gradient'", e.Message);
        Assert.False(Directory.Exists(dir.File("run")));
    }

    [Fact]
    public void Cli_DemoHelpListsMethod_AndExplainChecksPrintsTheDeletionCheck()
    {
        using var dir = new TempDirectory();
        var help = CliProcess.Run(dir.Path, "demo", "--help");
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("--method", help.StdOut);

        string ckpt = dir.File("ckpt");
        using (var model = new ImageClassifier(new ModelInfo(Architecture.PooledCnn, 1, 28, 28, MnistFormat.DigitClassNames))) Checkpoint.Save(ckpt, model);
        NpyFile.Write(dir.File("x.npy"), SampleData.Test.Pixels.AsSpan(0, 2 * 784).ToArray(), [2, 28, 28]);
        var r = CliProcess.Run(dir.Path, "explain", "-m", ckpt, "-i", dir.File("x.npy"), "-o", dir.File("out"), "--method", "saliency", "--classes", "predicted", "--checks");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Deletion check", r.StdOut);
        Assert.True(File.Exists(dir.File("out/checks.json")));
    }
}

internal sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
{
    public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
    public int GetHashCode(double v) => 0;
}

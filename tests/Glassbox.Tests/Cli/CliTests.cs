using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Tests.Data;
using Glassbox.Tests.IO;
using Glassbox.Tests.Training;
using TorchSharp;
using Xunit.Abstractions;

namespace Glassbox.Tests.Cli;

public class CliTests(ITestOutputHelper output)
{
    private static ModelInfo Mnist => new(Architecture.PooledCnn, 1, 28, 28, MnistFormat.DigitClassNames);

    /// <summary>An untrained pooled-cnn checkpoint, a valid 2-image input and a 3-image background in <paramref name="dir"/>.</summary>
    private static (string Checkpoint, string Input, string Background) Setup(TempDirectory dir)
    {
        string ckpt = dir.File("ckpt");
        using (var model = new ImageClassifier(Mnist)) Checkpoint.Save(ckpt, model);
        var test = SampleData.Test;
        NpyFile.Write(dir.File("x.npy"), test.Pixels.AsSpan(0, 2 * 784).ToArray(), [2, 28, 28]);
        NpyFile.Write(dir.File("bg.npy"), test.Pixels.AsSpan(784 * 10, 3 * 784).ToArray(), [3, 1, 28, 28]);
        return (ckpt, dir.File("x.npy"), dir.File("bg.npy"));
    }

    private CliProcess.Result Run(TempDirectory dir, params string[] args)
    {
        var r = CliProcess.Run(dir.Path, args);
        output.WriteLine($"$ glassbox {string.Join(' ', args)}\n{r}");
        return r;
    }

    /// <summary>
    /// Exit code 1 and no stack trace; the output is exactly one line "error: ..." (or, with
    /// <paramref name="afterProgress"/>, ends with that line after progress output).
    /// </summary>
    private static string AssertUserError(CliProcess.Result r, bool afterProgress = false)
    {
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.DoesNotContain("   at ", r.All);
        Assert.DoesNotContain("Exception", r.All);
        var lines = r.All.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string line = afterProgress ? lines[^1] : Assert.Single(lines);
        Assert.StartsWith("error: ", line);
        Assert.Single(lines, l => l.StartsWith("error: ", StringComparison.Ordinal));
        return line;
    }

    [Fact]
    public void Explain_MissingCheckpoint_ExitsWith1AndOneLineMessage()
    {
        using var dir = new TempDirectory();
        var (_, input, bg) = Setup(dir);
        string missing = dir.File("no-such-checkpoint-folder-with-a-long-name-so-the-line-exceeds-eighty-columns");
        var r = Run(dir, "explain", "-m", missing, "-i", input, "--background", bg);
        string line = AssertUserError(r);
        Assert.Equal($"error: Checkpoint folder '{missing}' does not exist.", line);
    }

    [Fact]
    public void Explain_InputOfWrongShape_ExitsWith1AndNamesTheExpectedShape()
    {
        using var dir = new TempDirectory();
        var (ckpt, _, bg) = Setup(dir);
        NpyFile.Write(dir.File("wrong.npy"), new float[2 * 27 * 28], [2, 27, 28]);
        var r = Run(dir, "explain", "-m", ckpt, "-i", dir.File("wrong.npy"), "--background", bg);
        string line = AssertUserError(r);
        Assert.Contains("has shape (2, 27, 28)", line);
        Assert.Contains("the model expects N×1×28×28, N×28×28 or 28×28", line);
        Assert.False(Directory.Exists(dir.File("glassbox-explain")), "no output folder for a failed run");
    }

    [Fact]
    public void Explain_UnknownClass_ExitsWith1AndListsTheClasses()
    {
        using var dir = new TempDirectory();
        var (ckpt, input, bg) = Setup(dir);
        var r = Run(dir, "explain", "-m", ckpt, "-i", input, "--background", bg, "--classes", "12");
        string line = AssertUserError(r);
        Assert.Contains("Unknown class '12'", line);
        Assert.Contains("0=0, 1=1", line);
        Assert.Contains("9=9", line);
    }

    [Fact]
    public void Train_ZeroEpochs_FailsWithAClearMessage_AndWritesNoCheckpoint()
    {
        using var dir = new TempDirectory();
        var r = Run(dir, "train", "--epochs", "0", "--arch", "pooled-cnn", "--max-train", "100", "--data", RepoPaths.MnistSample, "-o", dir.File("ckpt"));
        Assert.NotEqual(0, r.ExitCode);
        string line = AssertUserError(r);
        Assert.Equal("error: Epochs must be at least 1, not 0.", line);
        Assert.False(File.Exists(dir.File("ckpt/model.json")));
    }

    [Fact]
    public void Train_UnknownArchitectureOrBadLearningRate_FailsWithAClearMessage()
    {
        using var dir = new TempDirectory();
        var arch = Run(dir, "train", "--arch", "vgg", "--max-train", "10", "--data", RepoPaths.MnistSample, "-o", dir.File("ckpt"));
        Assert.Contains("Unknown architecture 'vgg'", AssertUserError(arch));
        var lr = Run(dir, "train", "--lr", "-1", "--max-train", "10", "--data", RepoPaths.MnistSample, "-o", dir.File("ckpt"));
        Assert.Contains("Learning rate must be positive", AssertUserError(lr));
    }

    [Theory]
    [InlineData("train", "--batch-size", "0", "Batch size must be at least 1, not 0")]
    [InlineData("train", "--max-train", "-3", "--max-train must be at least 1, not -3")]
    [InlineData("demo", "--batch-size", "0", "Batch size must be at least 1, not 0")]
    public void Training_WithBadSizes_FailsWithAClearMessage_InsteadOfCrashing(string command, string option, string value, string message)
    {
        // These crashed with DivideByZeroException / ArgumentOutOfRangeException and a stack trace (exit 134).
        using var dir = new TempDirectory();
        var r = Run(dir, command, option, value, "--data", RepoPaths.MnistSample, "-o", dir.File("out"));
        Assert.Equal($"error: {message}.", AssertUserError(r, afterProgress: command == "demo"));
    }

    [Fact]
    public void MistypedOption_ExitsWith2AndPointsToHelp_InsteadOfBeingIgnored()
    {
        // Without strict parsing, "--epoch 3" was silently ignored and a full 2-epoch run on 8000 images started.
        using var dir = new TempDirectory();
        var r = Run(dir, "train", "--epoch", "3", "--max-train", "10", "--data", RepoPaths.MnistSample, "-o", dir.File("ckpt"));
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Contains("epoch", r.All);
        Assert.Contains("see --help", r.All);
        Assert.DoesNotContain("   at ", r.All);
        Assert.False(Directory.Exists(dir.File("ckpt")));
    }

    [Theory]
    [InlineData("train", new[] { "--data", "--out", "--arch", "--epochs", "--batch-size", "--lr", "--normalize", "--early-stop", "--max-train", "--seed", "--device", "--threads" })]
    [InlineData("explain", new[] { "--model", "--input", "--out", "--method", "--background", "--background-size", "--classes", "--target", "--top-k", "--output", "--internal-batch-size", "--seed",
        "--baselines", "--n-steps", "--integration-method", "--n-samples", "--stdevs", "--local-smoothing", "--nt-type", "--nt-samples", "--nt-stdevs", "--abs",
        "--sliding-window", "--strides", "--feature-mask", "--perturbations-per-eval", "--layer", "--interpolation", "--relu-attributions", "--composite",
        "--epsilon", "--gamma", "--max-evals", "--masker", "--alpha", "--kernel-width" })]
    [InlineData("methods", new[] { "List the attribution methods" })]
    [InlineData("demo", new[] { "--data", "--out", "--arch", "--epochs", "--batch-size", "--background-size", "--plot-images", "--reliability-images" })]
    [InlineData("report", new[] { "RUN_FOLDER", "A folder written by 'glassbox demo'" })]
    [InlineData("benchmark", new[] { "--arch", "--images", "--background-size", "--threads", "--this-process-only", "--methods", "--all-classes" })]
    [InlineData("download", new[] { "<DATASET>", "mnist or fashion-mnist", "--cache" })]
    public void Help_ForEachCommand_ExitsZeroAndListsItsOptions(string command, string[] options)
    {
        using var dir = new TempDirectory();
        var r = Run(dir, command, "--help");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.DoesNotContain("   at ", r.All);
        Assert.Contains($"glassbox {command}", r.StdOut);
        Assert.Contains("USAGE:", r.StdOut);
        foreach (var o in options) Assert.Contains(o, r.StdOut);
    }

    [Fact]
    public void Train_TwiceWithTheSameSeed_WritesIdenticalWeights_AnotherSeedDiffers()
    {
        // --seed seeds libtorch (weight initialisation) and the shuffling, in separate processes.
        using var dir = new TempDirectory();
        string Train(string name, string seed)
        {
            var r = Run(dir, "train", "--arch", "pooled-cnn", "--max-train", "128", "--epochs", "1", "--data", RepoPaths.MnistSample, "-o", dir.File(name), "--seed", seed);
            Assert.True(r.ExitCode == 0, r.ToString());
            return Checkpoint.ReadMetadata(dir.File(name)).WeightsSha256;
        }
        string a = Train("a", "3"), b = Train("b", "3"), c = Train("c", "4");
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(File.ReadAllBytes(dir.File("a/model.safetensors")), File.ReadAllBytes(dir.File("b/model.safetensors")));
    }

    [Fact]
    public void TrainThenExplain_EndToEnd_WritesCheckpointAttributionsAndPlot()
    {
        using var dir = new TempDirectory();
        string ckpt = dir.File("model");
        var train = Run(dir, "train", "--arch", "pooled-cnn", "--max-train", "500", "--epochs", "1", "--data", RepoPaths.MnistSample, "-o", ckpt, "--seed", "0");
        Assert.True(train.ExitCode == 0, train.ToString());
        var meta = Checkpoint.ReadMetadata(ckpt);
        Assert.Equal("pooled-cnn", meta.Model.Architecture);
        var epoch = Assert.Single(meta.Training!.Epochs);
        Assert.True(epoch.HeldOutAccuracy > 0.2, $"held-out accuracy {epoch.HeldOutAccuracy} after 500 images"); // chance is 0.1
        Assert.Equal(new[] { "model.json", "model.safetensors" }, Directory.GetFiles(ckpt).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        // Two test images as uint8 N×H×W, as numpy users save MNIST.
        var test = SampleData.Test;
        byte[] raw = test.Pixels.AsSpan(0, 2 * 784).ToArray().Select(v => (byte)Math.Round(v * 255)).ToArray();
        NpyFile.Write(dir.File("two.npy"), raw, [2, 28, 28]);
        string outDir = dir.File("explained");
        var explain = Run(dir, "explain", "-m", ckpt, "-i", dir.File("two.npy"), "-o", outDir, "--background-size", "50");
        Assert.True(explain.ExitCode == 0, explain.ToString());
        Assert.Contains("Additivity holds", explain.StdOut);

        var shap = NpyFile.Read(Path.Combine(outDir, "shap_values.npy"));
        Assert.Equal(new[] { 2, 10, 1, 28, 28 }, shap.Shape);
        Assert.Equal("<f4", shap.DType);
        byte[] png = File.ReadAllBytes(Path.Combine(outDir, "image_plot.png"));
        Assert.True(png.Length > 1000);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);

        // Local accuracy: the 784 attributions of each (image, class) sum to f(x) − E[f(background)].
        var values = (float[])shap.Data;
        var expected = NpyFile.ReadFloat32(Path.Combine(outDir, "expected_value.npy"), out int[] expectedShape);
        Assert.Equal(new[] { 10 }, expectedShape);
        var inputs = NpyFile.Read(Path.Combine(outDir, "inputs.npy"));
        Assert.Equal(new[] { 2, 1, 28, 28 }, inputs.Shape);
        Assert.Equal(raw[200] / 255f, ((float[])inputs.Data)[200], 1e-6);
        var (model, _) = Checkpoint.Load(ckpt);
        using (model)
        using (torch.no_grad())
        {
            using var x = torch.tensor((float[])inputs.Data, [2, 1, 28, 28]);
            using var logits = model.Forward(x);
            var f = logits.data<float>().ToArray();
            for (int n = 0; n < 2; n++)
                for (int k = 0; k < 10; k++)
                {
                    double sum = values.AsSpan((n * 10 + k) * 784, 784).ToArray().Sum(v => (double)v);
                    Assert.Equal(f[n * 10 + k] - expected[k], sum, 1e-3);
                }
        }
    }

    [Fact]
    public void Methods_ListsEveryCatalogMethod()
    {
        using var dir = new TempDirectory();
        var r = Run(dir, "methods");
        Assert.True(r.ExitCode == 0, r.ToString());
        foreach (var e in Glassbox.Attribution.Catalog.MethodCatalog.Default.Entries)
            Assert.Contains(e.Name, r.StdOut);
    }

    [Fact]
    public void Explain_IntegratedGradients_ReportsTheConvergenceDelta_AndUnknownMethodListsNames()
    {
        using var dir = new TempDirectory();
        var (ckpt, input, _) = Setup(dir);
        var r = Run(dir, "explain", "-m", ckpt, "-i", input, "-o", dir.File("ig"), "--method", "integrated-gradients", "--n-steps", "16", "--classes", "3");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Convergence delta", r.StdOut);
        Assert.Equal(new[] { 2, 1, 1, 28, 28 }, NpyFile.Read(dir.File("ig/attributions.npy")).Shape);
        string line = AssertUserError(Run(dir, "explain", "-m", ckpt, "-i", input, "--method", "integrated-gradient"));
        Assert.Contains("Unknown method 'integrated-gradient'", line);
        Assert.Contains("integrated-gradients", line);
    }
}

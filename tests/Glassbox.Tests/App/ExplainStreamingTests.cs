using System.Text.Json;
using Glassbox.App;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Tests.Data;
using Glassbox.Tests.IO;
using Glassbox.Tests.Training;
using TorchSharp;

namespace Glassbox.Tests.App;

/// <summary>explain reads its inputs and writes its per-input results a chunk at a time; the files do not depend on the chunk size.</summary>
public class ExplainStreamingTests
{
    private static ModelInfo Mnist => new(Architecture.PooledCnn, 1, 28, 28, MnistFormat.DigitClassNames);

    private static (string Checkpoint, string Input) Setup(TempDirectory dir, int images)
    {
        string ckpt = dir.File("ckpt");
        torch.manual_seed(3);
        using (var model = new ImageClassifier(Mnist)) Checkpoint.Save(ckpt, model);
        var pixels = Enumerable.Range(0, images).SelectMany(i => SampleData.Test.Pixels.AsSpan(i % 100 * 784, 784).ToArray()).ToArray();
        string input = dir.File("x.npy");
        NpyFile.Write(input, pixels, [images, 1, 28, 28]);
        return (ckpt, input);
    }

    // libtorch's kernels may round differently for different batch sizes (here 7 vs all inputs at once), so computed
    // numbers are compared to 1e-5; what is not computed (inputs, names, the classes of "all" or a list) must be identical.
    [Theory]
    [InlineData("saliency", "all", 123)]
    [InlineData("integrated-gradients", "3,5", 40)]
    [InlineData("saliency", "predicted", 60)]
    public void Explain_ManyRowsInSmallChunks_WritesWhatOneUnchunkedRunWrites(string method, string classes, int n)
    {
        using var dir = new TempDirectory();
        var (ckpt, input) = Setup(dir, n);
        var options = method == "integrated-gradients" ? new Dictionary<string, string> { ["--n-steps"] = "2" } : null;
        var chunked = ExplainJob.Run(new ExplainRequest(ckpt, input, dir.File("chunked"), RepoPaths.MnistSample, method, options, Classes: classes, ChunkSize: 7, PlotRows: 4));
        var whole = ExplainJob.Run(new ExplainRequest(ckpt, input, dir.File("whole"), RepoPaths.MnistSample, method, options, Classes: classes, ChunkSize: 0, PlotRows: 4));
        int k = classes switch { "all" => 10, "3,5" => 2, _ => 1 };

        Assert.Equal(File.ReadAllBytes(dir.File("whole/inputs.npy")), File.ReadAllBytes(dir.File("chunked/inputs.npy")));
        Assert.Equal(NpyFile.Read(input).Data, NpyFile.Read(dir.File("chunked/inputs.npy")).Data);
        Assert.Equal(File.ReadAllBytes(dir.File("whole/targets.npy")), File.ReadAllBytes(dir.File("chunked/targets.npy")));
        Assert.Equal(whole.Predictions, chunked.Predictions);
        static string[] Listing(string folder) => Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.Equal(Listing(dir.File("whole")), Listing(dir.File("chunked")));
        Assert.Equal(method == "integrated-gradients", File.Exists(dir.File("chunked/base_values.npy"))); // saliency has no baseline output
        foreach (var (file, shape) in new[] { ("attributions.npy", new[] { n, k, 1, 28, 28 }), ("probabilities.npy", [n, 10]), ("outputs.npy", [n, k]), ("base_values.npy", [n, k]) })
        {
            if (!File.Exists(dir.File($"whole/{file}"))) continue;
            var a = NpyFile.Read(dir.File($"whole/{file}"));
            var b = NpyFile.Read(dir.File($"chunked/{file}"));
            Assert.Equal(shape, a.Shape);
            Assert.Equal(a.Shape, b.Shape);
            Assert.Equal(a.DType, b.DType);
            var x = a.ToFloat32();
            var y = b.ToFloat32();
            for (int i = 0; i < x.Length; i++) Assert.True(Close(x[i], y[i]), $"{file}[{i}]: {x[i]} vs {y[i]}");
        }

        using var wholeJson = JsonDocument.Parse(File.ReadAllText(dir.File("whole/explanation.json")));
        using var chunkedJson = JsonDocument.Parse(File.ReadAllText(dir.File("chunked/explanation.json")));
        var fields = wholeJson.RootElement.EnumerateObject().Select(p => p.Name).Where(p => p != "seconds").ToList();
        Assert.Equal(fields, chunkedJson.RootElement.EnumerateObject().Select(p => p.Name).Where(p => p != "seconds"));
        foreach (var field in fields) AssertSame(wholeJson.RootElement.GetProperty(field), chunkedJson.RootElement.GetProperty(field), field);
        var root = chunkedJson.RootElement;
        Assert.Equal(n * k, root.GetProperty("targets").GetArrayLength());
        Assert.Equal(n * k, root.GetProperty("outputs").GetArrayLength());
        Assert.Equal(Enumerable.Range(0, n).Select(i => $"x.npy[{i}]"), root.GetProperty("inputs").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(((long[])NpyFile.Read(dir.File("chunked/targets.npy")).Data).Select(v => (int)v), root.GetProperty("targets").EnumerateArray().Select(v => v.GetInt32()));
        if (method == "integrated-gradients")
        {
            Assert.Equal(n * k, root.GetProperty("check").GetProperty("signedDeltas").GetArrayLength());
            Assert.Equal(whole.Additivity!.Count, chunked.Additivity!.Count);
            Assert.True(Close(whole.Additivity.Max, chunked.Additivity.Max) && Close(whole.Additivity.Median, chunked.Additivity.Median));
        }

        // Only the plotted rows are held: the result's per-input arrays have 4 rows although it counts all n.
        Assert.Equal(n, chunked.Explanation.Count);
        Assert.Equal(4, chunked.RowsInMemory);
        Assert.Equal(4 * k * 784, chunked.Explanation.Values.Length);
        Assert.Equal(4 * 784, chunked.Explanation.Inputs!.Length);
        Assert.Equal(4 * k, chunked.Explanation.Targets.Length);
        Assert.Equal(4 * k, chunked.Explanation.Outputs.Length);
        Assert.Equal(PngSize(dir.File("whole/image_plot.png")), PngSize(dir.File("chunked/image_plot.png")));
    }

    private static bool Close(double a, double b) => a == b || Math.Abs(a - b) <= 1e-5 * Math.Max(1, Math.Max(Math.Abs(a), Math.Abs(b)));

    private static void AssertSame(JsonElement a, JsonElement b, string path)
    {
        Assert.True(a.ValueKind == b.ValueKind, $"{path}: {a.ValueKind} vs {b.ValueKind}");
        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                Assert.Equal(a.EnumerateObject().Select(p => p.Name), b.EnumerateObject().Select(p => p.Name));
                foreach (var p in a.EnumerateObject()) AssertSame(p.Value, b.GetProperty(p.Name), $"{path}.{p.Name}");
                break;
            case JsonValueKind.Array:
                Assert.True(a.GetArrayLength() == b.GetArrayLength(), $"{path}: {a.GetArrayLength()} vs {b.GetArrayLength()} items");
                foreach (var (x, i) in a.EnumerateArray().Select((x, i) => (x, i))) AssertSame(x, b[i], $"{path}[{i}]");
                break;
            case JsonValueKind.Number:
                Assert.True(Close(a.GetDouble(), b.GetDouble()), $"{path}: {a} vs {b}");
                break;
            default:
                Assert.True(JsonElement.DeepEquals(a, b), $"{path}: {a} vs {b}");
                break;
        }
    }

    private static (int Width, int Height) PngSize(string path)
    {
        var b = File.ReadAllBytes(path);
        return ((b[16] << 24) | (b[17] << 16) | (b[18] << 8) | b[19], (b[20] << 24) | (b[21] << 16) | (b[22] << 8) | b[23]);
    }

    [Fact]
    public void ExplainWithChecks_InChunks_ChecksEveryInput()
    {
        using var dir = new TempDirectory();
        var (ckpt, input) = Setup(dir, 30);
        var r = ExplainJob.Run(new ExplainRequest(ckpt, input, dir.File("out"), RepoPaths.MnistSample, "saliency", Classes: "predicted", Checks: true, ChunkSize: 8));
        var checks = Assert.IsType<ReliabilityChecks>(r.Checks);
        Assert.Equal(30, checks.Deletion.Images);
        Assert.Equal(r.Predictions, checks.DeletionTargets);
        Assert.Equal(checks.Deletion.RandomCurve[0], checks.Deletion.AttributionCurve[0], 12); // both start unperturbed
        // The merged curve is the image-weighted mean: its first point is the mean unperturbed probability of the checked class.
        var probs = (float[])NpyFile.Read(dir.File("out/probabilities.npy")).Data;
        double start = Enumerable.Range(0, 30).Average(i => (double)probs[i * 10 + r.Predictions[i]]);
        Assert.Equal(start, checks.Deletion.AttributionCurve[0], 5);
        Assert.Equal(Deletion_Auc(checks.Deletion.Fractions, checks.Deletion.AttributionCurve), checks.Deletion.AttributionAuc, 12);
    }

    private static double Deletion_Auc(double[] x, double[] y) => Glassbox.Metrics.Faithfulness.Deletion.Auc(x, y);
}

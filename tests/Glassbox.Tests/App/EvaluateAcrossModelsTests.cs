using System.Text.Json;
using Glassbox.App;
using Glassbox.Data;
using Glassbox.Models;
using Glassbox.Tests.IO;
using TorchSharp;
using static Glassbox.Tests.App.EvaluateTestSupport;

namespace Glassbox.Tests.App;

public class EvaluateAcrossModelsTests
{
    private static string Save(TempDirectory dir, string name, int seed)
    {
        string ckpt = dir.File(name);
        torch.manual_seed(seed);
        using var model = new ImageClassifier(new ModelInfo(Architecture.PooledCnn, 1, 28, 28, MnistFormat.DigitClassNames));
        Glassbox.Checkpoints.Checkpoint.Save(ckpt, model);
        return ckpt;
    }

    [Fact]
    public void CompareModels_AnIdenticalModelAgreesFully_AnotherSeedLess_AndTheMatricesAreReported()
    {
        using var dir = new TempDirectory();
        string a = Save(dir, "a", 1), same = Save(dir, "same", 1), other = Save(dir, "other", 2);
        string output = dir.File("eval");
        var request = Request(a, output, methods: "saliency", metrics: "sparseness") with { CompareModels = [same, other] };
        var report = EvaluateJob.Run(request);

        var row = Assert.Single(report.AcrossModels);
        Assert.Null(row.Skipped);
        Assert.Equal([a, same, other], row.Models);
        var r = row.Result!;
        Assert.Equal(3, r.Count);
        Assert.Equal(1.0, r.Spearman.Values[0][1], 6);   // the same weights give the same maps
        Assert.Equal(1.0, r.TopOverlap.Values[0][1], 6);
        Assert.True(r.Spearman.Values[0][2] < 0.9, $"another initialisation agrees at {r.Spearman.Values[0][2]}");
        Assert.Equal(r.Spearman.Values[0][2], r.Spearman.Values[2][0], 12);
        Assert.Equal((r.Spearman.Values[0][1] + r.Spearman.Values[0][2] + r.Spearman.Values[1][2]) / 3, r.Spearman.Mean, 9);
        Assert.Equal(Math.Min(r.Spearman.Values[0][2], r.Spearman.Values[1][2]), r.Spearman.Min, 9);
        Assert.True(r.Spearman.Std > 0);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "evaluation.json")));
        var across = json.RootElement.GetProperty("acrossModels")[0];
        Assert.Equal("saliency", across.GetProperty("method").GetString());
        Assert.Equal(3, across.GetProperty("result").GetProperty("spearman").GetProperty("values").GetArrayLength());
        Assert.Contains("Agreement across models", File.ReadAllText(Path.Combine(output, "evaluation.html")));
    }

    [Fact]
    public void CompareModels_RefusesAModelOfAnotherTask_NamingBoth()
    {
        using var dir = new TempDirectory();
        string a = Save(dir, "a", 1);
        var request = Request(a, dir.File("eval"), methods: "saliency", metrics: "sparseness") with { CompareModels = [Fixture("mixed_cnn.onnx")] };
        var ex = Assert.Throws<GlassboxException>(() => EvaluateJob.Run(request));
        Assert.Contains("same task", ex.Message);
        Assert.Contains("mixed_cnn.onnx", ex.Message);
    }
}

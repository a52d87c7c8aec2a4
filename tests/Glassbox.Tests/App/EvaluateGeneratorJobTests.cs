using System.Text.Json;
using Glassbox.App.Generation;
using Glassbox.Data;
using Glassbox.Generation;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Tests.Data;
using Glassbox.Tests.IO;
using Glassbox.Tests.Training;
using TorchSharp;

namespace Glassbox.Tests.App;

/// <summary>Checkpoints for the evaluate-generator tests: an untrained VAE and an untrained pooled CNN (both seeded).</summary>
internal static class EvaluateGeneratorSupport
{
    public static string Generator(TempDirectory dir, int height = 28)
    {
        string folder = dir.File($"vae{height}");
        if (Directory.Exists(folder)) return folder;
        using var vae = new Vae(new VaeOptions(LatentSize: 4, Height: height, Width: height), seed: 3);
        GeneratorCheckpoint.Save(folder, vae);
        return folder;
    }

    public static string Classifier(TempDirectory dir, string arch = Architecture.PooledCnn)
    {
        string folder = dir.File("clf-" + arch);
        if (Directory.Exists(folder)) return folder;
        torch.manual_seed(1);
        using var model = new ImageClassifier(new ModelInfo(arch, 1, 28, 28, MnistFormat.DigitClassNames));
        Glassbox.Checkpoints.Checkpoint.Save(folder, model);
        return folder;
    }
}

[Collection(SerialCollection.Name)]
public class EvaluateGeneratorJobTests
{
    private static EvaluateGeneratorRequest Request(TempDirectory dir, string output = "out", int n = 40, int seed = 0, string? classifier = "") =>
        new(EvaluateGeneratorSupport.Generator(dir), classifier == "" ? EvaluateGeneratorSupport.Classifier(dir) : classifier,
            RepoPaths.MnistSample, dir.File(output), n, seed, BatchSize: 16);

    [Fact]
    public void WritesJsonAndFeatures_FloorBelowUntrainedGenerator()
    {
        using var dir = new TempDirectory();
        var result = EvaluateGeneratorJob.Run(Request(dir));
        string output = dir.File("out");
        foreach (string f in new[] { "evaluate-generator.json", "real_features.npy", "generated_features.npy", "train_features.npy",
                     "real_probabilities.npy", "generated_probabilities.npy", "train_probabilities.npy" })
            Assert.True(File.Exists(Path.Combine(output, f)), f);
        var features = NpyFile.ReadFloat32(Path.Combine(output, "generated_features.npy"), out int[] shape);
        Assert.Equal([40, result.FeatureDimensions], shape);
        Assert.All(features, v => Assert.True(float.IsFinite(v)));
        NpyFile.ReadFloat32(Path.Combine(output, "real_probabilities.npy"), out int[] pshape);
        Assert.Equal([40, 10], pshape);

        var rows = result.Rows.ToDictionary(r => r.Metric);
        Assert.Equal(["fd", "kid", "precision", "recall", "density", "coverage", "inception-score"], result.Rows.Select(r => r.Metric));
        Assert.True(rows["fd"].Floor < rows["fd"].Generated, $"floor {rows["fd"].Floor} vs generated {rows["fd"].Generated}");
        Assert.True(rows["kid"].Floor < rows["kid"].Generated);
        Assert.True(rows["coverage"].Floor > rows["coverage"].Generated);
        Assert.NotNull(rows["kid"].GeneratedStd);
        Assert.InRange(rows["inception-score"].Generated, 1.0, 10.0);

        var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, "evaluate-generator.json"))).RootElement;
        Assert.Equal(40, json.GetProperty("settings").GetProperty("n").GetInt32());
        Assert.Equal(rows["fd"].Generated, json.GetProperty("metrics").GetProperty("fd").GetProperty("generated").GetDouble(), 12);
        Assert.Equal(rows["fd"].Floor, json.GetProperty("metrics").GetProperty("fd").GetProperty("floor").GetDouble(), 12);
        Assert.True(json.GetProperty("seconds").GetDouble() > 0);
        Assert.Equal(result.FeatureDimensions, json.GetProperty("sizes").GetProperty("featureDimensions").GetInt32());
    }

    [Fact]
    public void SameSeed_SameNumbers_OtherSeed_OtherSamples()
    {
        using var dir = new TempDirectory();
        var a = EvaluateGeneratorJob.Run(Request(dir, "a", seed: 5));
        var b = EvaluateGeneratorJob.Run(Request(dir, "b", seed: 5));
        var c = EvaluateGeneratorJob.Run(Request(dir, "c", seed: 6));
        Assert.Equal(a.Rows.Select(r => r.Generated), b.Rows.Select(r => r.Generated));
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("a"), "generated_features.npy")), File.ReadAllBytes(Path.Combine(dir.File("b"), "generated_features.npy")));
        Assert.NotEqual(File.ReadAllBytes(Path.Combine(dir.File("a"), "generated_features.npy")), File.ReadAllBytes(Path.Combine(dir.File("c"), "generated_features.npy")));
        Assert.NotEqual(a.Rows[0].Generated, c.Rows[0].Generated);
        // The real sets do not depend on the seed.
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("a"), "real_features.npy")), File.ReadAllBytes(Path.Combine(dir.File("c"), "real_features.npy")));
    }

    [Fact]
    public void MissingClassifier_SaysTrainOne()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<GlassboxException>(() => EvaluateGeneratorJob.Run(Request(dir, classifier: null)));
        Assert.Contains("--classifier", e.Message);
        Assert.Contains("glassbox train", e.Message);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Theory]
    [InlineData(9, "at least 10")]
    [InlineData(0, "at least 10")]
    [InlineData(1_000_000, "more than the data has")]
    public void CountOutOfRange_IsAClearError(int n, string message)
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<GlassboxException>(() => EvaluateGeneratorJob.Run(Request(dir, n: n)));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void ImageSizeMismatch_IsAClearError()
    {
        using var dir = new TempDirectory();
        var request = Request(dir) with { Generator = EvaluateGeneratorSupport.Generator(dir, height: 32) };
        var e = Assert.Throws<GlassboxException>(() => EvaluateGeneratorJob.Run(request));
        Assert.Contains("1×32×32", e.Message);
        Assert.Contains("1×28×28", e.Message);
    }

    [Fact]
    public void ResidualClassifier_WithoutLayerList_IsRefused()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<GlassboxException>(() => EvaluateGeneratorJob.Run(Request(dir, classifier: EvaluateGeneratorSupport.Classifier(dir, Architecture.ResNetSmall))));
        Assert.Contains("no visible list of layers", e.Message);
    }
}

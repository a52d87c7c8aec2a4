using Glassbox.Attribution;
using Glassbox.Metrics;
using Glassbox.Tests.Data;
using Glassbox.Metrics.Randomisation;
using Glassbox.Models;
using Glassbox.Models.Sources;
using Glassbox.Tests.Attribution.Gradient;
using Glassbox.Tests.Metrics.Robustness;
using TorchSharp;
using static Glassbox.Tests.Metrics.MetricTestModels;
using static TorchSharp.torch;

namespace Glassbox.Tests.Metrics.Randomisation;

/// <summary>Model randomisation (copies with re-initialised layers), the parameter randomisation test, random logit and SSIM.</summary>
public class RandomisationTests
{
    private static readonly ExplainFunction Saliency = SensitivityTests.Saliency;

    private static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "fixtures", "models", name);

    private static float[] Logits(IImageModel model, Tensor x)
    {
        using var noGrad = torch.no_grad();
        using var y = model.Forward(x);
        return y.data<float>().ToArray();
    }

    private static ImageClassifier Cnn()
    {
        torch.manual_seed(1);
        return new ImageClassifier(new ModelInfo(Architecture.ReferenceCnn, 1, 12, 12, ["a", "b", "c"]));
    }

    private static Tensor Noise(int n, int side)
    {
        using var g = new Generator(5);
        return torch.rand([n, 1, side, side], generator: g);
    }

    [Fact]
    public void Randomise_CopiesTheModel_ReinitialisingOnlyTheNamedLayers_Seeded()
    {
        using var model = Cnn();
        using var x = Noise(2, 12);
        Assert.Equal(["0:Conv2d", "2:Conv2d", "5:Linear"], ModelRandomisation.Layers(model).Select(l => l.Name));
        var before = Logits(model, x);
        using (var copy = ModelRandomisation.Randomise(model, ["5:Linear"], 3))
        using (var again = ModelRandomisation.Randomise(model, ["5:Linear"], 3))
        using (var other = ModelRandomisation.Randomise(model, ["5:Linear"], 4))
        {
            Assert.NotEqual(before, Logits(copy, x));
            Assert.Equal(Logits(copy, x), Logits(again, x));
            Assert.NotEqual(Logits(copy, x), Logits(other, x));
            Assert.Equal(model.Layers[0], copy.Layers![0]);
            Assert.NotSame(model.Layers[5], copy.Layers![5]);
            var w = ((TorchSharp.Modules.Linear)copy.Layers![5]).weight!;
            double bound = 1 / Math.Sqrt(64 * 8 * 8);
            Assert.True(w.abs().max().item<float>() <= bound);
            Assert.True(w.abs().max().item<float>() > bound / 2);
        }
        Assert.Equal(before, Logits(model, x));
        var ex = Assert.Throws<GlassboxException>(() => ModelRandomisation.Randomise(model, ["1:ReLU"], 0));
        Assert.Contains("0:Conv2d, 2:Conv2d, 5:Linear", ex.Message);
    }

    [Fact]
    public void Randomise_WorksOnSequentialSpecsAndOnnxGraphs_AndRefusesOpaqueModels()
    {
        using var spec = ModelLoader.Load(Fixture("small_cnn.json"));
        using var graph = ModelLoader.Load(Fixture("small_cnn.onnx"));
        Assert.Equal(ModelKind.SequentialSpec, spec.Kind);
        Assert.Equal(ModelKind.OnnxGraph, graph.Kind);
        using var x = Noise(3, 8);
        foreach (var model in new[] { spec, graph })
        {
            var layers = ModelRandomisation.Layers(model);
            Assert.True(layers.Count >= 2, string.Join(", ", layers));
            var before = Logits(model, x);
            using var all = ModelRandomisation.Randomise(model, layers.Select(l => l.Name).ToArray(), 42);
            Assert.Equal(model.Kind, all.Kind);
            var after = Logits(all, x);
            Assert.NotEqual(before, after);
            Assert.Equal(before, Logits(model, x));
            using var none = ModelRandomisation.Randomise(model, [], 42);
            Assert.Equal(before, Logits(none, x));
        }
        // The spec and the graph hold the same network, so the same seed re-initialises both alike.
        using var specRandom = ModelRandomisation.Randomise(spec, [ModelRandomisation.Layers(spec)[^1].Name], 7);
        using var graphRandom = ModelRandomisation.Randomise(graph, [ModelRandomisation.Layers(graph)[^1].Name], 7);
        var a = Logits(specRandom, x);
        var b = Logits(graphRandom, x);
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i], 1e-4);
        using var script = ModelLoader.Load(Fixture("small_cnn.pt"));
        Assert.Contains("not reachable", Assert.Throws<GlassboxException>(() => ModelRandomisation.Layers(script)).Message);
        using var blackBox = new BlackBoxModel(Linear());
        Assert.Contains("ONNX Runtime", Assert.Throws<GlassboxException>(() => ModelRandomisation.Layers(blackBox)).Message);
    }

    private static ImageClassifier Mlp()
    {
        torch.manual_seed(2);
        return new ImageClassifier(new ModelInfo("mlp", 1, 24, 24, ["a", "b", "c"]),
            nn.Sequential(nn.Flatten(), nn.Linear(576, 32), nn.ReLU(), nn.Linear(32, 3)));
    }

    [Fact]
    public void ParameterRandomisation_OfEveryLayer_LeavesSaliencyUncorrelated()
    {
        // A dense network has no borders, so a fully randomised one keeps nothing of the original maps.
        using var model = Mlp();
        using var x = Noise(8, 24);
        var e = Saliency(model, x, TargetSelection.PerInput(0, 1, 2, 0, 1, 2, 0, 1), default);
        var result = new ModelParameterRandomisation().Evaluate(model, x, e, Saliency);
        var cascade = Assert.IsType<RandomisationCascade>(result.Detail);
        Assert.Equal(["original", "3:Linear", "1:Linear"], cascade.Steps);
        Assert.All(cascade.Scores[0], s => Assert.Equal(1, s, 6));
        double meanAbs = result.Scores.Average(Math.Abs);
        Assert.True(meanAbs < 0.1, $"mean |ρ| = {meanAbs}");
    }

    [Fact]
    public void ParameterRandomisation_StartsAtOne_AndFallsAsTheCnnIsRandomised()
    {
        using var model = Cnn();
        using var x = Noise(8, 12);
        var e = Saliency(model, x, TargetSelection.PerInput(0, 1, 2, 0, 1, 2, 0, 1), default);
        var result = new ModelParameterRandomisation().Evaluate(model, x, e, Saliency);
        var cascade = Assert.IsType<RandomisationCascade>(result.Detail);
        Assert.Equal(["original", "5:Linear", "2:Conv2d", "0:Conv2d"], cascade.Steps);
        Assert.True(cascade.Cascading);
        Assert.Equal("spearman", cascade.Similarity);
        Assert.All(cascade.Scores[0], s => Assert.Equal(1, s, 6));
        Assert.Equal(cascade.Scores[^1], result.Scores);
        // Convolutions weigh border pixels less in any network, so even a random CNN's saliency keeps some rank correlation.
        double meanAbs = result.Scores.Average(Math.Abs);
        Assert.True(meanAbs < 0.35, $"mean |ρ| = {meanAbs}");
        Assert.Equal(4, cascade.FirstMaps.Length);
        Assert.Equal([1, 12, 12], cascade.MapShape);
        Assert.All(cascade.FirstMaps, m => Assert.Equal(144, m.Length));
        Assert.Equal(1f, cascade.FirstMaps[0].Max(), 6);

        var independent = new ModelParameterRandomisation(new(LayerOrder: "independent", Similarity: "ssim")).Evaluate(model, x, e, Saliency);
        var steps = Assert.IsType<RandomisationCascade>(independent.Detail);
        Assert.False(steps.Cascading);
        Assert.Equal("ssim", steps.Similarity);
        Assert.All(steps.Scores[0], s => Assert.Equal(1, s, 6));
        Assert.All(independent.Scores, s => Assert.True(s < 1));
        Assert.Throws<GlassboxException>(() => new ModelParameterRandomisation(new(LayerOrder: "sideways")).Evaluate(model, x, e, Saliency));
        Assert.Throws<GlassboxException>(() => new ModelParameterRandomisation(new(Similarity: "hog")).Evaluate(model, x, e, Saliency));
    }

    [Fact]
    public void ParameterRandomisation_RunsOnAnOnnxGraph_WhoseRandomisedCopyKeepsItsLayerListInStep()
    {
        using var graph = ModelLoader.Load(Fixture("small_cnn.onnx"));
        using var x = Noise(4, 8);
        var names = ModelRandomisation.Layers(graph).Select(l => l.Name).ToArray();
        using (var copy = ModelRandomisation.Randomise(graph, names, 9))
        {
            Assert.NotNull(copy.Layers);
            using var noGrad = torch.no_grad();
            var h = copy.Preprocess(x);
            foreach (var layer in copy.Layers!) h = layer.forward(h);
            var viaLayers = h.data<float>().ToArray();
            var viaNodes = Logits(copy, x);
            for (int i = 0; i < viaNodes.Length; i++) Assert.Equal(viaNodes[i], viaLayers[i], 1e-5);
        }
        var e = Saliency(graph, x, TargetSelection.PerInput(0, 1, 2, 0), default);
        var result = new ModelParameterRandomisation(new(Similarity: "ssim")).Evaluate(graph, x, e, Saliency);
        var cascade = Assert.IsType<RandomisationCascade>(result.Detail);
        Assert.Equal(["original", .. names.Reverse()], cascade.Steps);
        Assert.All(cascade.Scores[0], s => Assert.Equal(1, s, 6));
        Assert.All(result.Scores, s => Assert.True(s < 0.9, $"SSIM {s}"));
    }

    [Fact]
    public void RandomLogit_ComparesWithTheMapOfASeededOtherClass()
    {
        for (int t = 0; t < 5; t++)
        {
            int other = RandomLogit.OtherClass(t, 5, 42);
            Assert.NotEqual(t, other);
            Assert.InRange(other, 0, 4);
            Assert.Equal(other, RandomLogit.OtherClass(t, 5, 42));
        }
        // Linear model: the saliency of class a is |W|, of class b |V|; with two classes the other class is fixed.
        using var model = Linear();
        using var x = Images([1f, 0.5f, 0.25f, 0f]);
        var e = Saliency(model, x, TargetSelection.PerInput(0), default);
        var result = new RandomLogit().Evaluate(model, x, e, Saliency);
        Assert.Equal([1], (int[])result.Detail!);
        double[] a = W.Select(v => v / 4.0).ToArray(), b = V.Select(v => v / 3.0).ToArray();
        double c1 = 1e-4, expected = a.Zip(b, (p, q) => (2 * p * q + c1) / (p * p + q * q + c1)).Average();
        Assert.Equal(expected, result.Scores[0], 6);
        var spearman = new RandomLogit(new(Similarity: "spearman")).Evaluate(model, x, e, Saliency);
        Assert.Equal(-1, spearman.Scores[0], 6);
    }

    [Fact]
    public void Ssim_MatchesAVectorisedScikitImageStyleReference()
    {
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "metrics", "sensitivity.json")));
        int cases = 0;
        foreach (var c in json.RootElement.GetProperty("ssim_cases").EnumerateArray())
        {
            var shape = c.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray();
            float[] a = c.GetProperty("a").EnumerateArray().Select(v => v.GetSingle()).ToArray(), b = c.GetProperty("b").EnumerateArray().Select(v => v.GetSingle()).ToArray();
            double ssim = StructuralSimilarity.Compute(a, b, shape[0], shape[1], shape[2], c.GetProperty("data_range").GetDouble());
            Assert.Equal(c.GetProperty("ssim").GetDouble(), ssim, 6);
            cases++;
        }
        Assert.Equal(3, cases);
    }

    [Fact]
    public void Ssim_IsOneForEqualMaps_AndTheLuminanceTermForAShiftedMap()
    {
        var rng = new Random(2);
        var a = Enumerable.Range(0, 49).Select(_ => (float)rng.NextDouble()).ToArray();
        Assert.Equal(1, StructuralSimilarity.Compute(a, a, 1, 7, 7, 1), 12);
        var shifted = a.Select(v => v + 0.25f).ToArray();
        double mu = a.Average(v => (double)v), c1 = 1e-4;
        double lum = (2 * mu * (mu + 0.25) + c1) / (mu * mu + (mu + 0.25) * (mu + 0.25) + c1);
        Assert.Equal(lum, StructuralSimilarity.Compute(a, shifted, 1, 7, 7, 1), 5);
        // A 9×9 map has 3×3 window positions; the score is their mean, and unrelated maps score near 0.
        var u = Enumerable.Range(0, 81).Select(_ => (float)rng.NextDouble()).ToArray();
        var v = Enumerable.Range(0, 81).Select(_ => (float)rng.NextDouble()).ToArray();
        Assert.InRange(StructuralSimilarity.Compute(u, v, 1, 9, 9, 1), -0.3, 0.3);
        Assert.Equal(255, StructuralSimilarity.QuantusDataRange([2f], [0f]));
        Assert.Equal(1, StructuralSimilarity.QuantusDataRange([-1f], [0.5f]));
    }
}

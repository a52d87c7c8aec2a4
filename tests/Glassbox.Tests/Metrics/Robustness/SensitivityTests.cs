using System.Text.Json;
using Glassbox.Attribution;
using Glassbox.Attribution.Gradient;
using Glassbox.Metrics;
using Glassbox.Tests.Data;
using Glassbox.Metrics.Robustness;
using Glassbox.Models;
using TorchSharp;
using static Glassbox.Tests.Metrics.MetricTestModels;
using static TorchSharp.torch;

namespace Glassbox.Tests.Metrics.Robustness;

/// <summary>Max- and avg-sensitivity against Captum's sensitivity_max (tools/fixtures/make_sensitivity_fixture.py) and by hand.</summary>
public class SensitivityTests
{
    internal static readonly ExplainFunction Saliency = (m, x, t, c) => new Saliency(m).Attribute(x, t, cancel: c);

    private sealed record Fixture(
        int seed, double perturb_radius, int n_perturb_samples, float[] conv_weight, float[] conv_bias, float[] linear_weight,
        float[] linear_bias, float[] inputs, int[] input_shape, int[] targets, float[] logits, float[] saliency, float[] perturbed,
        float[] noise, float[] first_draws_4x5, double[] sensitivity_max, double[] sensitivity_avg);

    private static Fixture Load()
        => JsonSerializer.Deserialize<Fixture>(File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "fixtures", "metrics", "sensitivity.json")))!;

    private static ImageClassifier FixtureModel(Fixture f)
    {
        var conv = nn.Conv2d(1, 2, 3);
        var linear = nn.Linear(32, 3);
        using (torch.no_grad())
        {
            conv.weight!.copy_(torch.tensor(f.conv_weight, [2, 1, 3, 3]));
            conv.bias!.copy_(torch.tensor(f.conv_bias));
            linear.weight!.copy_(torch.tensor(f.linear_weight, [3, 32]));
            linear.bias!.copy_(torch.tensor(f.linear_bias));
        }
        return new ImageClassifier(new ModelInfo("custom", 1, 6, 6, ["a", "b", "c"]), nn.Sequential(conv, nn.Tanh(), nn.Flatten(), linear));
    }

    [Fact]
    public void SeededGenerator_DrawsWhatTorchManualSeedDraws()
    {
        var f = Load();
        using var g = new Generator((ulong)f.seed);
        using var draws = torch.empty([4, 5], ScalarType.Float32).uniform_(-f.perturb_radius, f.perturb_radius, g);
        Assert.Equal(f.first_draws_4x5, draws.data<float>().ToArray());
    }

    [Fact]
    public void MaxAndAvgSensitivity_EqualCaptumsSensitivityMax_OnSaliencyOfATanhCnn()
    {
        var f = Load();
        using var model = FixtureModel(f);
        using var x = torch.tensor(f.inputs, f.input_shape.Select(s => (long)s).ToArray());
        var explanation = Saliency(model, x, TargetSelection.PerInput(f.targets), default);
        Assert.Equal(f.saliency.Length, explanation.Values.Length);
        for (int i = 0; i < f.saliency.Length; i++) Assert.Equal(f.saliency[i], explanation.Values[i], 1e-6);
        var options = new SensitivityOptions(PerturbRadius: f.perturb_radius, NPerturbSamples: f.n_perturb_samples, Seed: f.seed, BatchSize: 7);
        var max = new MaxSensitivity(options).Evaluate(model, x, explanation, Saliency);
        var avg = new AvgSensitivity(options).Evaluate(model, x, explanation, Saliency);
        Assert.Equal(3, max.Scores.Length);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(f.sensitivity_max[i], max.Scores[i], 1e-5);
            Assert.Equal(f.sensitivity_avg[i], avg.Scores[i], 1e-5);
            Assert.True(max.Scores[i] > avg.Scores[i] && avg.Scores[i] > 0);
        }
        Assert.Same(options, max.Settings);
    }

    [Fact]
    public void Sensitivity_IsZero_WhenTheSaliencyOfALinearModelCannotChange()
    {
        using var model = Linear();
        using var x = Images([1f, 0.5f, 0.25f, 0f], [0.2f, 0.4f, 0.6f, 0.8f]);
        var e = Saliency(model, x, TargetSelection.Classes(0, 1), default);
        foreach (IReexplainingMetric metric in new IReexplainingMetric[] { new MaxSensitivity(), new AvgSensitivity(), new LocalLipschitzEstimate(new(NrSamples: 5)) })
            Assert.All(metric.Evaluate(model, x, e, Saliency).Scores, s => Assert.Equal(0, s, 12));
    }

    [Fact]
    public void Sensitivity_OfTheInputAsExplanation_IsTheNoiseNormOverTheInputNorm()
    {
        // φ(x) = x: ‖φ(x) − φ(x′)‖ / ‖φ(x)‖ = ‖u‖ / ‖x‖ for the drawn noise u.
        ExplainFunction identity = (m, x, t, c) => Explain((int)x.shape[0], 1, t.Resolve((int)x.shape[0], 2, out _),
            Enumerable.Range(0, (int)x.shape[0]).Select(i => x[i].flatten().data<float>().ToArray()).ToArray(), OutputSpace.Logits);
        using var model = Linear();
        float[][] images = [[1f, 0.5f, 0.25f, 0.1f], [0.2f, 0.4f, 0.6f, 0.8f]];
        using var x = Images(images);
        var e = identity(model, x, TargetSelection.PerInput(0, 1), default);
        var options = new SensitivityOptions(PerturbRadius: 0.3, NPerturbSamples: 4, Seed: 11);
        var max = new MaxSensitivity(options).Evaluate(model, x, e, identity).Scores;
        var avg = new AvgSensitivity(options).Evaluate(model, x, e, identity).Scores;
        var raw = new MaxSensitivity(options with { Normalise = false }).Evaluate(model, x, e, identity).Scores;
        using var g = new Generator(11);
        for (int n = 0; n < 2; n++)
        {
            using var u = torch.empty([4, 1, 2, 2], ScalarType.Float32).uniform_(-0.3, 0.3, g);
            var noise = u.data<float>().ToArray();
            var norms = Enumerable.Range(0, 4).Select(s => Math.Sqrt(noise.Skip(4 * s).Take(4).Sum(v => (double)v * v))).ToArray();
            double xNorm = Math.Sqrt(images[n].Sum(v => (double)v * v));
            Assert.Equal(norms.Max() / xNorm, max[n], 5);
            Assert.Equal(norms.Average() / xNorm, avg[n], 5);
            Assert.Equal(norms.Max(), raw[n], 5);
        }
    }

    [Fact]
    public void Sensitivity_RefusesANegativeRadius_AndAMalformedExplainFunction()
    {
        using var model = Linear();
        using var x = Images([1f, 0.5f, 0.25f, 0f]);
        var e = Saliency(model, x, TargetSelection.PerInput(0), default);
        Assert.Contains("radius", Assert.Throws<GlassboxException>(() => new MaxSensitivity(new(PerturbRadius: -1)).Evaluate(model, x, e, Saliency)).Message);
        ExplainFunction wrong = (m, xs, t, c) => Saliency(m, xs, TargetSelection.AllClasses, c);
        Assert.Contains("explain function returned", Assert.Throws<GlassboxException>(() => new MaxSensitivity().Evaluate(model, x, e, wrong)).Message);
    }
}

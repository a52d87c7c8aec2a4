using Glassbox.Attribution;
using Glassbox.Metrics;
using Glassbox.Metrics.Robustness;
using TorchSharp;
using static Glassbox.Tests.Metrics.MetricTestModels;
using static TorchSharp.torch;

namespace Glassbox.Tests.Metrics.Robustness;

/// <summary>Local Lipschitz estimate and relative input / output stability against their definitions.</summary>
public class StabilityTests
{
    private static readonly ExplainFunction Saliency = SensitivityTests.Saliency;

    /// <summary>φ(x) = x·scale, so every ratio of the metrics is known.</summary>
    private static ExplainFunction Scaled(float scale) => (m, x, t, c) => Explain((int)x.shape[0], 1, t.Resolve((int)x.shape[0], 2, out _),
        Enumerable.Range(0, (int)x.shape[0]).Select(i => x[i].flatten().data<float>().Select(v => v * scale).ToArray()).ToArray(), OutputSpace.Logits);

    [Fact]
    public void LocalLipschitz_OfAScaledInput_IsTheScale()
    {
        using var model = Linear();
        using var x = Images([0.9f, 0.5f, 0.3f, 0.1f], [0.2f, 0.4f, 0.6f, 0.8f]);
        var explain = Scaled(3f);
        var e = explain(model, x, TargetSelection.PerInput(0, 1), default);
        var scores = new LocalLipschitzEstimate(new(NrSamples: 6, Normalise: false)).Evaluate(model, x, e, explain).Scores;
        Assert.All(scores, s => Assert.Equal(3, s, 4));
    }

    [Fact]
    public void LocalLipschitz_NormalisesByTheExtremes_AsQuantus()
    {
        float[] map = [2f, -1f, 0f, 4f];
        Assert.Equal([0.5f, -1f, 0f, 1f], Reexplanation.NormaliseByNegative(map));
        Assert.Equal(5 / (2 + 1e-10), LocalLipschitzEstimate.Ratio([0f, 0f], [3f, 4f], [1f, 1f], [1f, 3f]), 12);
    }

    [Fact]
    public void RelativeInputStability_OfTheInputAsExplanation_IsOne()
    {
        // φ(x) = x: the relative change of the map equals the relative change of the input.
        using var model = Linear();
        using var x = Images([0.9f, 0.5f, 0.3f, 0.1f], [0.2f, 0.4f, 0.6f, 0.8f]);
        var explain = Scaled(1f);
        var e = explain(model, x, TargetSelection.PerInput(0, 1), default);
        var scores = new RelativeInputStability(new(NrSamples: 8, NanWhenPredictionChanges: false)).Evaluate(model, x, e, explain).Scores;
        Assert.All(scores, s => Assert.Equal(1, s, 5));
    }

    [Fact]
    public void RelativeOutputStability_DividesByTheRelativeChangeOfTheLogits()
    {
        using var model = Linear();
        float[] image = [0.9f, 0.5f, 0.3f, 0.1f];
        using var x = Images(image);
        var explain = Scaled(1f);
        var e = explain(model, x, TargetSelection.PerInput(0), default);
        var options = new RelativeStabilityOptions(NrSamples: 5, Seed: 3, NanWhenPredictionChanges: false);
        double score = new RelativeOutputStability(options).Evaluate(model, x, e, explain).Scores[0];
        using var g = new Generator(3);
        using var u = torch.empty([5, 1, 2, 2], ScalarType.Float32).uniform_(0.02, 0.2, g);
        var noise = u.data<float>().ToArray();
        double expected = 0;
        double[] h = [Dot(W, image), Dot(V, image)];
        for (int s = 0; s < 5; s++)
        {
            var p = image.Select((v, i) => v + noise[4 * s + i]).ToArray();
            double num = Math.Sqrt(image.Select((v, i) => Math.Pow((v - p[i]) / v, 2)).Sum());
            double[] hp = [Dot(W, p), Dot(V, p)];
            double den = Math.Sqrt(h.Select((v, i) => Math.Pow((v - hp[i]) / v, 2)).Sum());
            expected = Math.Max(expected, num / den);
        }
        Assert.Equal(expected, score, 4);
    }

    [Fact]
    public void RelativeStability_IsNaN_WhenACopyChangesThePrediction_AndZeroForAConstantMap()
    {
        using var model = Linear();
        // a − b = 4x0 + x1 − x2 − 2.5x3 = 0.04 here: class a, but noise that raises x3 more than x0 flips it to b.
        using var edge = Images([0.26f, 0f, 0f, 0.4f]);
        var e = Saliency(model, edge, TargetSelection.PerInput(0), default);
        Assert.True(double.IsNaN(new RelativeInputStability(new(NrSamples: 50)).Evaluate(model, edge, e, Saliency).Scores[0]));
        using var x = Images([0.9f, 0.5f, 0.3f, 0.1f]);
        var constant = Saliency(model, x, TargetSelection.PerInput(0), default);
        Assert.Equal(0, new RelativeInputStability(new(NrSamples: 5)).Evaluate(model, x, constant, Saliency).Scores[0]);
        Assert.Equal(0, new RelativeOutputStability(new(NrSamples: 5)).Evaluate(model, x, constant, Saliency).Scores[0]);
        Assert.Throws<GlassboxException>(() => new RelativeInputStability(new(LowerBound: 0.3, UpperBound: 0.2)).Evaluate(model, x, constant, Saliency));
    }

    [Fact]
    public void RelativeRepresentationStability_OverTheChosenLayers_MatchesTheInputAndOutputVariants()
    {
        // Linear() is Flatten (layer 0: the pixels themselves) then Linear (layer 1: the logits).
        using var model = Linear();
        using var x = Images([0.9f, 0.5f, 0.3f, 0.1f], [0.2f, 0.4f, 0.6f, 0.8f]);
        var explain = Scaled(1f);
        var e = explain(model, x, TargetSelection.PerInput(0, 1), default);
        var options = new RelativeRepresentationStabilityOptions(NrSamples: 6, NanWhenPredictionChanges: false, Seed: 4);
        var pixels = new RelativeRepresentationStability(options with { LayerIndices = [0] }).Evaluate(model, x, e, explain).Scores;
        Assert.All(pixels, s => Assert.Equal(1, s, 5));
        var logits = new RelativeRepresentationStability(options with { LayerIndices = [-1] }).Evaluate(model, x, e, explain).Scores;
        var output = new RelativeOutputStability(options.Stability).Evaluate(model, x, e, explain).Scores;
        for (int i = 0; i < 2; i++) Assert.Equal(output[i], logits[i], 5);
        var both = new RelativeRepresentationStability(options).Evaluate(model, x, e, explain);
        Assert.All(both.Scores, s => Assert.InRange(s, 0, 1));
        Assert.Same(options, both.Settings);
        Assert.Contains("layer index 2", Assert.Throws<GlassboxException>(() => new RelativeRepresentationStability(options with { LayerIndices = [2] }).Evaluate(model, x, e, explain)).Message);
        using var blackBox = new Glassbox.Tests.Attribution.Gradient.BlackBoxModel(Linear());
        Assert.Contains("no visible layer list", Assert.Throws<GlassboxException>(() => new RelativeRepresentationStability(options).Evaluate(blackBox, x, e, explain)).Message);
    }

    private static double Dot(float[] w, float[] x) => w.Zip(x, (a, b) => (double)a * b).Sum();
}

using Glassbox.Attribution;
using Glassbox.Attribution.Gradient;
using Glassbox.Metrics;
using Glassbox.Metrics.Robustness;
using Glassbox.Models;
using TorchSharp;
using static Glassbox.Tests.Metrics.MetricTestModels;
using static TorchSharp.torch;

namespace Glassbox.Tests.Metrics.Robustness;

/// <summary>
/// The robustness loop explains the perturbed copies of several images in one call, and max-/avg-sensitivity share one
/// re-explanation through a <see cref="MetricWorkCache"/>: neither may change a score.
/// </summary>
public class BatchedReexplanationTests
{
    /// <summary>A small non-linear classifier (4 pixels → tanh(3) → 2 logits) with fixed weights, so its maps move with the noise.</summary>
    private static ImageClassifier Tanh()
    {
        var a = nn.Linear(4, 3);
        var b = nn.Linear(3, 2);
        using (torch.no_grad())
        {
            a.weight!.copy_(torch.tensor(new[] { 1.5f, -2f, 0.7f, 0.3f, -0.4f, 1.1f, 2.2f, -1.3f, 0.9f, 0.5f, -0.8f, 1.7f }, [3, 4]));
            a.bias!.copy_(torch.tensor(new[] { 0.1f, -0.2f, 0.05f }));
            b.weight!.copy_(torch.tensor(new[] { 1.2f, -0.6f, 0.9f, -1.4f, 0.8f, 0.3f }, [2, 3]));
            b.bias!.zero_();
        }
        return new ImageClassifier(new ModelInfo("custom", 1, 2, 2, ["a", "b"]), nn.Sequential(nn.Flatten(), a, nn.Tanh(), b));
    }

    private static readonly float[][] Pixels =
        [[1f, 0.5f, 0.25f, 0.1f], [0.2f, 0.4f, 0.6f, 0.8f], [0.9f, 0.1f, 0.7f, 0.3f], [0f, 1f, 0.5f, 0.5f], [0.3f, 0.3f, 0.9f, 0.2f]];

    /// <summary>Integrated gradients with 4 steps, counting the calls and the images explained.</summary>
    private static ExplainFunction Counting(List<int> calls)
        => (m, x, t, c) =>
        {
            calls.Add((int)x.shape[0]);
            return new IntegratedGradients(m, new(NSteps: 4)).Attribute(x, t, cancel: c);
        };

    [Fact]
    public void ExplainingTheCopiesOfManyImagesInOneCall_GivesThePerCopyScores()
    {
        using var model = Tanh();
        using var x = Images(Pixels);
        var e = new IntegratedGradients(model, new(NSteps: 4)).Attribute(x, TargetSelection.Classes(0, 1));
        var sensitivity = new SensitivityOptions(PerturbRadius: 0.2, NPerturbSamples: 3, Seed: 5);
        var lipschitz = new LocalLipschitzEstimateOptions(NrSamples: 3, Seed: 5);
        var one = new List<int>();
        var perCopy = new[]
        {
            new MaxSensitivity(sensitivity with { BatchSize = 1 }).Evaluate(model, x, e, Counting(one)).Scores,
            new AvgSensitivity(sensitivity with { BatchSize = 1 }).Evaluate(model, x, e, Counting(one)).Scores,
            new LocalLipschitzEstimate(lipschitz with { BatchSize = 1 }).Evaluate(model, x, e, Counting(one)).Scores,
        };
        Assert.All(one, size => Assert.Equal(1, size));
        Assert.Equal(3 * 5 * 2 * 3, one.Count);

        var many = new List<int>();
        var batched = new[]
        {
            new MaxSensitivity(sensitivity with { BatchSize = 64 }).Evaluate(model, x, e, Counting(many)).Scores,
            new AvgSensitivity(sensitivity with { BatchSize = 64 }).Evaluate(model, x, e, Counting(many)).Scores,
            new LocalLipschitzEstimate(lipschitz with { BatchSize = 64 }).Evaluate(model, x, e, Counting(many)).Scores,
        };
        // 5 images × 2 targets × 3 copies = 30 rows: one call per metric.
        Assert.Equal([30, 30, 30], many);
        for (int m = 0; m < 3; m++)
        {
            Assert.Equal(10, batched[m].Length);
            Assert.Contains(perCopy[m], s => s > 1e-3);
            for (int i = 0; i < 10; i++) Assert.Equal(perCopy[m][i], batched[m][i], 1e-6);
        }

        // A batch that holds two images' rows (12 of 14) explains images in pairs: 3 calls of 12, 12 and 6 rows.
        var pairs = new List<int>();
        var paired = new MaxSensitivity(sensitivity with { BatchSize = 14 }).Evaluate(model, x, e, Counting(pairs)).Scores;
        Assert.Equal([12, 12, 6], pairs);
        for (int i = 0; i < 10; i++) Assert.Equal(perCopy[0][i], paired[i], 1e-6);
    }

    [Fact]
    public void MaxAndAvgSensitivity_ShareOneReexplanation_AndEqualTheSeparateScores()
    {
        using var model = Tanh();
        using var x = Images(Pixels);
        var e = new IntegratedGradients(model, new(NSteps: 4)).Attribute(x, TargetSelection.PerInput(0, 1, 0, 1, 1));
        var options = new SensitivityOptions(PerturbRadius: 0.1, NPerturbSamples: 4, Seed: 3);
        var separate = new List<int>();
        var max = new MaxSensitivity(options).Evaluate(model, x, e, Counting(separate)).Scores;
        var avg = new AvgSensitivity(options).Evaluate(model, x, e, Counting(separate)).Scores;
        Assert.Equal(2, separate.Count);

        var calls = new List<int>();
        var explain = Counting(calls);
        var cache = new MetricWorkCache();
        var sharedMax = new MaxSensitivity(options).Evaluate(model, x, e, explain, cache).Scores;
        var sharedAvg = new AvgSensitivity(options).Evaluate(model, x, e, explain, cache).Scores;
        Assert.Single(calls);
        Assert.Equal(1, cache.Count);
        Assert.Equal(max, sharedMax);
        Assert.Equal(avg, sharedAvg);
        Assert.All(Enumerable.Range(0, 5), i => Assert.True(sharedMax[i] > sharedAvg[i] && sharedAvg[i] > 0));

        // Other settings or another explanation are not served from the cache.
        new AvgSensitivity(options with { Seed = 4 }).Evaluate(model, x, e, explain, cache);
        var other = e with { Values = e.Values.ToArray() };
        new MaxSensitivity(options).Evaluate(model, x, other, explain, cache);
        Assert.Equal(3, calls.Count);
        Assert.Equal(3, cache.Count);
    }
}

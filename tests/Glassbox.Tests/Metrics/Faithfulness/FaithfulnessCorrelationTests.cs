using Glassbox.Attribution;
using Glassbox.Metrics.Faithfulness;
using static Glassbox.Tests.Metrics.MetricTestModels;

namespace Glassbox.Tests.Metrics.Faithfulness;

public class FaithfulnessCorrelationTests
{
    private static readonly float[] X = [1f, 0.25f, 0.75f, 0.5f];
    // For the linear logit a = W·x and baseline 0, removing a subset S drops a by Σ_S W_i x_i exactly.
    private static readonly float[] Exact = [4f, 0.5f, 0.75f, 0.25f];

    [Fact]
    public void FaithfulnessCorrelation_OfTheExactContributions_IsOne_AndTheSubsetSizeIsClampedBelowTheImage()
    {
        using var model = Linear();
        using var x = Images(X);
        var metric = new FaithfulnessCorrelation();
        var r = metric.Evaluate(model, x, Explain(1, 1, [0], [Exact], OutputSpace.Logits));
        Assert.Equal("faithfulness-correlation", r.Metric);
        Assert.Equal(1, r.Scores[0], 1e-6);
        var detail = Assert.IsType<FaithfulnessCorrelationDetail>(r.Detail);
        Assert.Equal(3, detail.SubsetSize); // Quantus' 224 does not fit 4 features
        Assert.True(detail.Clamped);
        Assert.Equal(3, Assert.IsType<FaithfulnessCorrelationOptions>(r.Settings).SubsetSize);
        Assert.Equal(100, detail.OutputDrops[0].Length);
        // Quantus normalises the map by its largest |φ| (4) first; Pearson's r does not see the scale.
        for (int i = 0; i < 100; i++) Assert.Equal(4 * detail.AttributionSums[0][i], detail.OutputDrops[0][i], 1e-5);
    }

    [Fact]
    public void FaithfulnessCorrelation_OfTheNegatedContributions_IsMinusOne_AndSubsetsOfOneGiveTheOneFeatureDrops()
    {
        using var model = Linear();
        using var x = Images(X);
        var negated = Exact.Select(v => -v).ToArray();
        var r = new FaithfulnessCorrelation(new FaithfulnessCorrelationOptions(SubsetSize: 1, NrRuns: 20))
            .Evaluate(model, x, Explain(1, 1, [0], [negated], OutputSpace.Logits));
        Assert.Equal(-1, r.Scores[0], 1e-6);
        var detail = Assert.IsType<FaithfulnessCorrelationDetail>(r.Detail);
        Assert.False(detail.Clamped);
        Assert.All(detail.OutputDrops[0], d => Assert.Contains(Exact, v => Math.Abs(v - d) < 1e-5));
    }

    [Fact]
    public void FaithfulnessCorrelation_IsSeeded_AndRefusesTooFewRuns()
    {
        using var model = Linear();
        using var x = Images(X);
        var e = Explain(1, 1, [0], [[1f, 2f, 3f, 4f]], OutputSpace.Probabilities);
        var a = new FaithfulnessCorrelation(new FaithfulnessCorrelationOptions(SubsetSize: 2, Seed: 1)).Evaluate(model, x, e);
        var b = new FaithfulnessCorrelation(new FaithfulnessCorrelationOptions(SubsetSize: 2, Seed: 1)).Evaluate(model, x, e);
        Assert.Equal(a.Scores, b.Scores);
        Assert.InRange(a.Scores[0], -1, 1);
        var ex = Assert.Throws<GlassboxException>(() => new FaithfulnessCorrelation(new FaithfulnessCorrelationOptions(NrRuns: 1)).Evaluate(model, x, e));
        Assert.Contains("nr-runs", ex.Message);
    }
}

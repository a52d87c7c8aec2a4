using Glassbox.Attribution;
using Glassbox.Metrics;
using Glassbox.Metrics.Agreement;

namespace Glassbox.Tests.Metrics;

public class PairwiseMetricTests
{
    private static Explanation Random(int seed, int n, int k, int d = 20, int[]? targets = null)
    {
        var rng = new Random(seed);
        var values = Enumerable.Range(0, n * k * d).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        return new Explanation($"M{seed}", new object(), values, [n, k, 1, 4, d / 4], targets ?? new int[n * k], OutputSpace.Logits,
            new double[n * k], new double[n * k], null, 1e-4);
    }

    [Fact]
    public void Spearman_ThroughThePairwiseInterface_EqualsTheStaticResult_ForEveryMap()
    {
        var a = Random(1, 3, 2);
        var b = Random(2, 3, 2);
        IPairwiseMetric metric = new SpearmanRankCorrelation();
        var r = metric.Evaluate(a, b);
        Assert.Equal("spearman-rank-correlation", r.Metric);
        Assert.Equal(6, r.Scores.Length);
        for (int n = 0; n < 3; n++)
            for (int k = 0; k < 2; k++)
                Assert.Equal(SpearmanRankCorrelation.Compute(a.Map(n, k), b.Map(n, k)), r.Scores[n * 2 + k]);
        Assert.All(metric.Evaluate(a, a).Scores, s => Assert.Equal(1.0, s, 1e-12));
    }

    [Fact]
    public void TopFraction_ThroughThePairwiseInterface_EqualsTheStaticResult_ForEveryMap()
    {
        var a = Random(3, 2, 2);
        var b = Random(4, 2, 2);
        var metric = new TopFractionOverlap(new TopFractionOverlapOptions(Fraction: 0.25));
        var r = metric.Evaluate(a, b);
        Assert.Equal("top-fraction-overlap", r.Metric);
        Assert.Same(metric.Options, r.Settings);
        for (int i = 0; i < 4; i++)
            Assert.Equal(TopFractionOverlap.Compute(a.Map(i / 2, i % 2), b.Map(i / 2, i % 2), 0.25), r.Scores[i]);
        Assert.Equal(0.1, new TopFractionOverlap().Options.Fraction);
        Assert.All(metric.Evaluate(b, b).Scores, s => Assert.Equal(1.0, s));
    }

    [Fact]
    public void Absolute_RanksMagnitudes_SoASignFlipAgrees()
    {
        float[] pa = [-5f, 1f, 2f, 3f], pb = [5f, 1f, 2f, 3f];
        Explanation Of(float[] v) => new("Hand", new object(), v, [1, 1, 1, 2, 2], [0], OutputSpace.Logits, [0], [0], null, 1e-4);
        var signed = new SpearmanRankCorrelation().Evaluate(Of(pa), Of(pb)).Scores[0];
        Assert.Equal(SpearmanRankCorrelation.Compute(pa, pb), signed);
        Assert.True(signed < 0.5, $"signed ρ {signed}");
        Assert.Equal(1.0, new SpearmanRankCorrelation(new(Absolute: true)).Evaluate(Of(pa), Of(pb)).Scores[0], 1e-12);
        // Top 25 % = one pixel: signed tops are pixels 3 and 0, absolute tops both pixel 0.
        Assert.Equal(0.0, new TopFractionOverlap(new(Fraction: 0.25)).Evaluate(Of(pa), Of(pb)).Scores[0]);
        Assert.Equal(1.0, new TopFractionOverlap(new(Fraction: 0.25, Absolute: true)).Evaluate(Of(pa), Of(pb)).Scores[0]);
    }

    [Fact]
    public void Pairwise_RefusesExplanationsOfDifferentInputsOrTargets_AndBadFractions()
    {
        var a = Random(1, 2, 1);
        Assert.Contains("shapes differ", Assert.Throws<GlassboxException>(() => new SpearmanRankCorrelation().Evaluate(a, Random(2, 3, 1))).Message);
        Assert.Contains("different classes", Assert.Throws<GlassboxException>(() => new TopFractionOverlap().Evaluate(a, Random(2, 2, 1, targets: [0, 1]))).Message);
        Assert.Contains("(0, 1]", Assert.Throws<GlassboxException>(() => new TopFractionOverlap(new(Fraction: 0)).Evaluate(a, a)).Message);
    }

    [Fact]
    public void AgreementMetrics_DeclareCategoryAndDirection()
    {
        foreach (IPairwiseMetric m in new IPairwiseMetric[] { new SpearmanRankCorrelation(), new TopFractionOverlap() })
        {
            Assert.Equal(MetricCategory.Agreement, m.Category);
            Assert.True(m.HigherIsBetter);
            Assert.Equal(MetricRequirement.None, m.Requirement);
        }
    }
}

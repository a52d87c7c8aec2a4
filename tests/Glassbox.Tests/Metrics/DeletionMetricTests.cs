using Glassbox.Attribution;
using Glassbox.Metrics;
using Glassbox.Metrics.Faithfulness;
using static Glassbox.Tests.Metrics.MetricTestModels;

namespace Glassbox.Tests.Metrics;

public class DeletionMetricTests
{
    private static readonly float[] Ones = [1f, 1f, 1f, 1f];
    private static readonly float[] Half = [1f, 0.5f, 1f, 1f];

    private static float[] Times(float[] w, float[] x) => w.Select((v, i) => v * x[i]).ToArray();

    [Fact]
    public void Deletion_Logits_ConstantBaseline_IsTheHandComputedArea()
    {
        // x = 1111, removed pixels become 0.5, order by W (0, 1, 2, 3): logit a = 7.5, 5.5, 4.5, 4.0, 3.75.
        using var model = Linear();
        using var x = Images(Ones);
        var e = Explain(1, 1, [0], [W], OutputSpace.Logits);
        var metric = new Deletion(new DeletionOptions(Steps: 4, Baseline: Baseline.Constant(0.5f)));
        var r = metric.Evaluate(model, x, e);
        Assert.Equal("deletion", r.Metric);
        Assert.Same(metric.Options, r.Settings);
        Assert.Single(r.Scores);
        Assert.Equal(4.90625, r.Scores[0], 1e-5); // 0.25 · (6.5 + 5 + 4.25 + 3.875)
        var curves = Assert.IsType<DeletionCurves>(r.Detail);
        Assert.Equal(new[] { 0, 0.25, 0.5, 0.75, 1 }, curves.Fractions);
        double[] expected = [7.5, 5.5, 4.5, 4.0, 3.75];
        for (int s = 0; s < 5; s++) Assert.Equal(expected[s], curves.Attribution[0][s], 1e-5);
    }

    [Fact]
    public void Deletion_Probabilities_ConstantBaseline_IsTheHandComputedArea()
    {
        // Same removals; p(a) = σ(a − b) with b = V·x = 6, 6, 5.5, 4.5, 3: differences 1.5, −0.5, −1, −0.5, 0.75.
        using var model = Linear();
        using var x = Images(Ones);
        var e = Explain(1, 1, [0], [W], OutputSpace.Probabilities);
        var r = new Deletion(new DeletionOptions(Steps: 4, Baseline: Baseline.Constant(0.5f))).Evaluate(model, x, e);
        double[] p = [Sigmoid(1.5), Sigmoid(-0.5), Sigmoid(-1), Sigmoid(-0.5), Sigmoid(0.75)];
        Assert.Equal(Area(p), r.Scores[0], 1e-6);
        var curve = Assert.IsType<DeletionCurves>(r.Detail).Attribution[0];
        for (int s = 0; s < 5; s++) Assert.Equal(p[s], curve[s], 1e-6);
    }

    [Fact]
    public void Deletion_TwoInputsTwoTargets_ScoresEveryMapInNkOrder()
    {
        // Maps are gradient × input of each class: order by W for a, by V for b (ties: lower index first).
        //   x0 = 1111, a: 7.5, 5.5, 4.5, 4, 3.75         → 4.90625
        //   x0 = 1111, b (order 3,2,1,0): 6, 4.5, 3.5, 3, 3 → 3.875
        //   x1 = 1,.5,1,1, a (order 0,1,2,3): 6.5, 4.5, 4.5, 4, 3.75 → 4.53125
        //   x1 = 1,.5,1,1, b (order 3,2,1,0): 5.5, 4, 3, 3, 3 → 3.5625
        using var model = Linear();
        using var x = Images(Ones, Half);
        var e = Explain(2, 2, [0, 1, 0, 1], [Times(W, Ones), Times(V, Ones), Times(W, Half), Times(V, Half)], OutputSpace.Logits);
        var r = new Deletion(new DeletionOptions(Steps: 4, Baseline: Baseline.Constant(0.5f))).Evaluate(model, x, e);
        Assert.Equal(4, r.Scores.Length);
        double[] expected = [4.90625, 3.875, 4.53125, 3.5625];
        for (int i = 0; i < 4; i++) Assert.Equal(expected[i], r.Scores[i], 1e-5);
        Assert.Equal(expected.Average(), r.Mean, 1e-5);
    }

    [Fact]
    public void Deletion_ImageBaseline_FillsEachRemovedPixelWithTheBaselinePixel()
    {
        // Baseline image 0,1,0,1: removing pixel 0 (→0) drops a by 4, pixel 1 (→1) changes nothing, pixel 2 drops 1,
        // pixel 3 nothing: 7.5, 3.5, 3.5, 2.5, 2.5 → 0.25 · (5.5 + 3.5 + 3 + 2.5) = 3.625.
        using var model = Linear();
        using var x = Images(Ones);
        using var reference = Images([0f, 1f, 0f, 1f]);
        var e = Explain(1, 1, [0], [W], OutputSpace.Logits);
        var r = new Deletion(new DeletionOptions(Steps: 4, Baseline: Baseline.FromImages(reference))).Evaluate(model, x, e);
        Assert.Equal(3.625, r.Scores[0], 1e-5);
    }

    [Fact]
    public void Deletion_RandomComparison_IsKeptPerMap_OrLeftOut()
    {
        using var model = Linear();
        using var x = Images(Ones, Half);
        var e = Explain(2, 1, [0, 0], [Times(W, Ones), Times(W, Half)], OutputSpace.Logits);
        var with = new Deletion(new DeletionOptions(Steps: 4, RandomSeed: 3)).Evaluate(model, x, e);
        var curves = Assert.IsType<DeletionCurves>(with.Detail);
        Assert.NotNull(curves.Random);
        Assert.Equal(2, curves.Random!.Length);
        for (int i = 0; i < 2; i++) Assert.Equal(Deletion.Auc(curves.Fractions, curves.Random[i]), curves.RandomAuc![i], 1e-12);
        // The attribution order is optimal for a linear model: never slower than a random order.
        Assert.All(Enumerable.Range(0, 2), i => Assert.True(with.Scores[i] <= curves.RandomAuc![i] + 1e-9));

        var without = new Deletion(new DeletionOptions(Steps: 4, CompareRandom: false)).Evaluate(model, x, e);
        var bare = Assert.IsType<DeletionCurves>(without.Detail);
        Assert.Null(bare.Random);
        Assert.Null(bare.RandomAuc);
        Assert.True(double.IsNaN(bare.ShareFasterThanRandom));
        Assert.Equal(with.Scores, without.Scores);
    }

    [Fact]
    public void Deletion_LegacyEntryPoint_EqualsTheMeanOfTheContractsProbabilityCurves()
    {
        using var model = Linear();
        using var x = Images(Ones, Half);
        float[] a0 = Times(W, Ones), a1 = Times(W, Half);
        var options = new DeletionOptions(Steps: 4, RandomSeed: 5);
        var legacy = Deletion.Evaluate(model, [.. Ones, .. Half], [.. a0, .. a1], [0, 0], options);
        var r = new Deletion(options).Evaluate(model, x, Explain(2, 1, [0, 0], [a0, a1], OutputSpace.Probabilities));
        var curves = Assert.IsType<DeletionCurves>(r.Detail);
        for (int s = 0; s < 5; s++)
        {
            Assert.Equal((curves.Attribution[0][s] + curves.Attribution[1][s]) / 2, legacy.AttributionCurve[s], 1e-12);
            Assert.Equal((curves.Random![0][s] + curves.Random[1][s]) / 2, legacy.RandomCurve[s], 1e-12);
        }
        Assert.Equal(r.Scores.Average(), legacy.AttributionAuc, 1e-12);
        Assert.Equal(curves.ShareFasterThanRandom, legacy.ShareFasterThanRandom);
    }

    [Fact]
    public void Deletion_DeclaresItself_AndRefusesMismatchedInputs()
    {
        var metric = new Deletion();
        Assert.Equal(MetricCategory.Faithfulness, metric.Category);
        Assert.False(metric.HigherIsBetter);
        Assert.Equal(MetricRequirement.Forward, metric.Requirement);

        using var model = Linear();
        using var two = Images(Ones, Half);
        var one = Explain(1, 1, [0], [W], OutputSpace.Logits);
        Assert.Contains("pass the inputs that were explained", Assert.Throws<GlassboxException>(() => metric.Evaluate(model, two, one)).Message);
        using var x = Images(Ones);
        Assert.Contains("class 7 does not exist", Assert.Throws<GlassboxException>(() => metric.Evaluate(model, x, Explain(1, 1, [7], [W], OutputSpace.Logits))).Message);
        Assert.Contains("at least one step", Assert.Throws<GlassboxException>(() => new Deletion(new DeletionOptions(Steps: 0)).Evaluate(model, x, one)).Message);
    }
}

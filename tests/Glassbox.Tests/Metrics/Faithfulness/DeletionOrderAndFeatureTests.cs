using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Metrics;
using Glassbox.Metrics.Faithfulness;
using static Glassbox.Tests.Metrics.MetricTestModels;

namespace Glassbox.Tests.Metrics.Faithfulness;

public class DeletionOrderAndFeatureTests
{
    private static readonly float[] Ones = [1f, 1f, 1f, 1f];

    private static double[] Curve(MetricResult r) => Assert.IsType<DeletionCurves>(r.Detail).Attribution[0];

    [Fact]
    public void Deletion_Lerf_RemovesTheLeastRelevantFirst_AndScoresHigherThanMorf()
    {
        // Order 3, 2, 1, 0 with removed pixels at 0.5: a = 7.5, 7.25, 6.75, 5.75, 3.75 → area 0.25 · 25.375.
        using var model = Linear();
        using var x = Images(Ones);
        var e = Explain(1, 1, [0], [W], OutputSpace.Logits);
        var lerf = new Deletion(new DeletionOptions(Steps: 4, Baseline: Baseline.Constant(0.5f), Order: "lerf", CompareRandom: false));
        Assert.True(lerf.HigherIsBetter);
        Assert.False(new Deletion().HigherIsBetter);
        var r = lerf.Evaluate(model, x, e);
        Assert.Equal(new[] { 7.5, 7.25, 6.75, 5.75, 3.75 }, Curve(r).Select(v => Math.Round(v, 5)));
        Assert.Equal(6.34375, r.Scores[0], 1e-5);
        var morf = new Deletion(new DeletionOptions(Steps: 4, Baseline: Baseline.Constant(0.5f), CompareRandom: false)).Evaluate(model, x, e);
        Assert.True(r.Scores[0] > morf.Scores[0]);
    }

    [Fact]
    public void Deletion_FeatureMask_RemovesWholeFeatures_RankedByMeanAttribution()
    {
        // Features {0} and {1, 2, 3}; the map 2, 1, 1, 1.5 has means 2 and 1.17 (sums 2 and 3.5), so pixel 0 goes first:
        // a = 7.5 → 5.5 → 3.75 (a sum ranking would give 7.5 → 5.75 → 3.75).
        using var model = Linear();
        using var x = Images(Ones);
        var mask = MaskSource.Shared(new FeatureMask([0, 1, 1, 1], 1, 2, 2));
        var e = Explain(1, 1, [0], [[2f, 1f, 1f, 1.5f]], OutputSpace.Logits);
        var r = new Deletion(new DeletionOptions(Steps: 2, Baseline: Baseline.Constant(0.5f), FeatureMask: mask, CompareRandom: false)).Evaluate(model, x, e);
        Assert.Equal(new[] { 0, 0.5, 1 }, Assert.IsType<DeletionCurves>(r.Detail).Fractions);
        Assert.Equal(new[] { 7.5, 5.5, 3.75 }, Curve(r).Select(v => Math.Round(v, 5)));
        Assert.Equal(0.5 * ((7.5 + 5.5) / 2 + (5.5 + 3.75) / 2), r.Scores[0], 1e-5);
    }

    [Fact]
    public void Deletion_GridPatches_StepOverPatches()
    {
        // 1×1 patches are the pixels; 2×2 patches are the whole image: one step removes everything.
        using var model = Linear();
        using var x = Images(Ones);
        var e = Explain(1, 1, [0], [W], OutputSpace.Logits);
        var pixels = new Deletion(new DeletionOptions(Steps: 4, Baseline: Baseline.Constant(0.5f), CompareRandom: false)).Evaluate(model, x, e);
        var grid1 = new Deletion(new DeletionOptions(Steps: 4, Baseline: Baseline.Constant(0.5f), FeatureMask: MaskSource.Grid(1), CompareRandom: false)).Evaluate(model, x, e);
        Assert.Equal(pixels.Scores[0], grid1.Scores[0], 1e-9);
        var grid2 = new Deletion(new DeletionOptions(Steps: 1, Baseline: Baseline.Constant(0.5f), FeatureMask: MaskSource.Grid(2), CompareRandom: false)).Evaluate(model, x, e);
        Assert.Equal(new[] { 7.5, 3.75 }, Curve(grid2).Select(v => Math.Round(v, 5)));
    }

    [Fact]
    public void Deletion_PerturbBaseline_MeanAndBlack_FillWithTheImagesMeanAndMinimum()
    {
        // x = 1, 0, 1, 0 has mean 0.5: removing pixels 0, 1, 2, 3 to 0.5 gives a = 5, 3, 4, 3.5, 3.75.
        using var model = Linear();
        using var x = Images([1f, 0f, 1f, 0f]);
        var e = Explain(1, 1, [0], [W], OutputSpace.Logits);
        var mean = new Deletion(new DeletionOptions(Steps: 4, PerturbBaseline: "mean", CompareRandom: false)).Evaluate(model, x, e);
        Assert.Equal(new[] { 5, 3, 4, 3.5, 3.75 }, Curve(mean).Select(v => Math.Round(v, 5)));
        // x = 1, .5, 1, 1 has minimum 0.5: a = 6.5, 4.5, 4.5, 4, 3.75.
        using var x1 = Images([1f, 0.5f, 1f, 1f]);
        var black = new Deletion(new DeletionOptions(Steps: 4, PerturbBaseline: "black", CompareRandom: false)).Evaluate(model, x1, e);
        Assert.Equal(new[] { 6.5, 4.5, 4.5, 4, 3.75 }, Curve(black).Select(v => Math.Round(v, 5)));
    }

    [Fact]
    public void Deletion_RefusesBadOrderAndTwoBaselines()
    {
        Assert.Contains("morf", Assert.Throws<GlassboxException>(() => new Deletion(new DeletionOptions(Order: "first"))).Message);
        Assert.Contains("not both", Assert.Throws<GlassboxException>(() => new Deletion(new DeletionOptions(Baseline: Baseline.Zeros, PerturbBaseline: "mean"))).Message);
        Assert.Contains("perturb-baseline", Assert.Throws<GlassboxException>(() => new Deletion(new DeletionOptions(PerturbBaseline: "grey"))).Message);
    }

    [Fact]
    public void Deletion_CatalogEntry_BindsOrderFeatureMaskAndBaselines()
    {
        var entry = MetricCatalog.Default.Get("deletion");
        var context = new OptionContext(new Glassbox.Models.ModelInfo("test", 1, 2, 2, ["a", "b"]), TorchSharp.torch.CPU);
        var d = Assert.IsType<Deletion>(entry.Create(new Dictionary<string, string> { ["order"] = "lerf", ["feature-mask"] = "grid:2", ["baselines"] = "blur", ["steps"] = "5" }, context));
        Assert.Equal("lerf", d.Options.Order);
        Assert.Equal(MaskSource.Grid(2), d.Options.FeatureMask);
        Assert.Equal(Baseline.Blur(), d.Options.Baseline);
        Assert.Equal(5, d.Options.Steps);
        Assert.True(d.HigherIsBetter);
        Assert.Throws<GlassboxException>(() => entry.Create(new Dictionary<string, string> { ["order"] = "sideways" }, context));
    }
}

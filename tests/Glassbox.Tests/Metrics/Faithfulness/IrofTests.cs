using Glassbox.Attribution;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Metrics;
using Glassbox.Metrics.Faithfulness;
using static Glassbox.Tests.Metrics.MetricTestModels;

namespace Glassbox.Tests.Metrics.Faithfulness;

public class IrofTests
{
    // x = 1, 0, 1, 0: a = 5, image mean 0.5.
    private static readonly float[] X = [1f, 0f, 1f, 0f];
    private static readonly MaskSource Rows = MaskSource.Shared(new FeatureMask([0, 0, 1, 1], 1, 2, 2));

    [Fact]
    public void Irof_TwoSegments_IsTheAreaOverTheRelativeCurve()
    {
        // Segment means of W·x = 4, 0, 1, 0: top row 2, bottom row 0.5 → top first. Top row to 0.5: a = 4 (0.8);
        // then everything 0.5: a = 3.75 (0.75). AOC = 2 − trapz([0.8, 0.75]) = 2 − 0.775.
        using var model = Linear();
        using var x = Images(X);
        var metric = new Irof(new IrofOptions(FeatureMask: Rows));
        Assert.True(metric.HigherIsBetter);
        var r = metric.Evaluate(model, x, Explain(1, 1, [0], [[4f, 0f, 1f, 0f]], OutputSpace.Logits));
        var curves = Assert.IsType<IrofCurves>(r.Detail);
        Assert.Equal(new[] { 2 }, curves.Segments);
        Assert.Equal(new[] { 0.8, 0.75 }, curves.Curves[0].Select(v => Math.Round(v, 6)));
        Assert.Equal(1.225, r.Scores[0], 1e-6);
        // Reversed ranking: bottom row first: a = 4.75 (0.95), then 0.75 → 2 − 0.85, a worse (lower) score.
        var reversed = metric.Evaluate(model, x, Explain(1, 1, [0], [[-4f, 0f, -1f, 0f]], OutputSpace.Logits));
        Assert.Equal(1.15, reversed.Scores[0], 1e-6);
    }

    [Fact]
    public void Irof_PixelSegments_RankByMeanWithTiesInIdOrder()
    {
        // Order 0, 2, 1, 3: a = 3, 2.5, 3.5, 3.75 → 0.6, 0.5, 0.7, 0.75 → AOC = 4 − (0.3 + 0.5 + 0.7 + 0.375).
        using var model = Linear();
        using var x = Images(X);
        var r = new Irof(new IrofOptions(FeatureMask: MaskSource.Grid(1))).Evaluate(model, x, Explain(1, 1, [0], [[4f, 0f, 1f, 0f]], OutputSpace.Logits));
        Assert.Equal(2.125, r.Scores[0], 1e-6);
    }

    [Fact]
    public void Irof_DefaultsToSlicAndTheImageMean_AndAZeroOutputIsNaN()
    {
        var o = new IrofOptions();
        Assert.Equal(new SlicMask(100, 10), o.Segments);
        Assert.Equal("mean", o.PerturbBaseline);
        using var model = Linear();
        using var zero = Images([0f, 0f, 0f, 0f]);
        var r = new Irof().Evaluate(model, zero, Explain(1, 1, [0], [W], OutputSpace.Logits));
        Assert.True(double.IsNaN(r.Scores[0]));
        Assert.Throws<GlassboxException>(() => new Irof(new IrofOptions(PerturbBaseline: "noise")));
    }
}

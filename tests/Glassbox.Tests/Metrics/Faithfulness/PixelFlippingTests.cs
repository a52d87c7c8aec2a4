using Glassbox.Attribution;
using Glassbox.Metrics;
using Glassbox.Metrics.Faithfulness;
using static Glassbox.Tests.Metrics.MetricTestModels;

namespace Glassbox.Tests.Metrics.Faithfulness;

public class PixelFlippingTests
{
    // x = 1, .5, 1, 1: a = 6.5; "black" is the image minimum 0.5; the map W·x = 4, 1, 1, .5 flips pixels 0, 1, 2, 3.
    private static readonly float[] X = [1f, 0.5f, 1f, 1f];
    private static readonly float[] Map = [4f, 1f, 1f, 0.5f];

    [Fact]
    public void PixelFlipping_OnePixelPerStep_IsTheUnitSpacedAreaOfTheCurveAfterEachFlip()
    {
        // After each flip: a = 4.5, 4.5 (pixel 1 is already 0.5), 4, 3.75 → trapz(dx=1) = 4.5 + 4.25 + 3.875.
        using var model = Linear();
        using var x = Images(X);
        var metric = new PixelFlipping();
        Assert.Equal("pixel-flipping", metric.Name);
        Assert.False(metric.HigherIsBetter);
        var r = metric.Evaluate(model, x, Explain(1, 1, [0], [Map], OutputSpace.Logits));
        var curves = Assert.IsType<DeletionCurves>(r.Detail);
        Assert.Equal(new[] { 0.25, 0.5, 0.75, 1 }, curves.Fractions);
        Assert.Equal(new[] { 4.5, 4.5, 4, 3.75 }, curves.Attribution[0].Select(v => Math.Round(v, 5)));
        Assert.Equal(12.625, r.Scores[0], 1e-5);
    }

    [Fact]
    public void PixelFlipping_FeaturesInStep_FlipsThatManyPerStep_AndMustDivideThePixels()
    {
        using var model = Linear();
        using var x = Images(X);
        var e = Explain(1, 1, [0], [Map], OutputSpace.Logits);
        var r = new PixelFlipping(new PixelFlippingOptions(FeaturesInStep: 2)).Evaluate(model, x, e);
        Assert.Equal(new[] { 4.5, 3.75 }, Assert.IsType<DeletionCurves>(r.Detail).Attribution[0].Select(v => Math.Round(v, 5)));
        Assert.Equal(4.125, r.Scores[0], 1e-5);
        Assert.Contains("does not divide", Assert.Throws<GlassboxException>(() => new PixelFlipping(new PixelFlippingOptions(FeaturesInStep: 3)).Evaluate(model, x, e)).Message);
        Assert.Throws<GlassboxException>(() => new PixelFlipping(new PixelFlippingOptions(FeaturesInStep: 0)));
    }

    [Fact]
    public void PixelFlipping_ReversedAttributions_ScoreWorse_AndAbsRanksByMagnitude()
    {
        using var model = Linear();
        using var x = Images(X);
        var good = new PixelFlipping().Evaluate(model, x, Explain(1, 1, [0], [Map], OutputSpace.Logits));
        float[] reversed = Map.Select(v => -v).ToArray();
        // Reversed order 3, 1, 2, 0 (ties: lower index first): a = 6.25, 6.25, 5.75, 3.75.
        var bad = new PixelFlipping().Evaluate(model, x, Explain(1, 1, [0], [reversed], OutputSpace.Logits));
        Assert.Equal(new[] { 6.25, 6.25, 5.75, 3.75 }, Assert.IsType<DeletionCurves>(bad.Detail).Attribution[0].Select(v => Math.Round(v, 5)));
        Assert.True(bad.Scores[0] > good.Scores[0]);
        var abs = new PixelFlipping(new PixelFlippingOptions(Absolute: true)).Evaluate(model, x, Explain(1, 1, [0], [reversed], OutputSpace.Logits));
        Assert.Equal(good.Scores[0], abs.Scores[0], 1e-9);
    }

    [Fact]
    public void PixelFlipping_WhiteAndNumberBaselines_FlipToTheMaximumOrTheNumber()
    {
        // White = 1: only pixel 1 changes (+1): a = 6.5, 7.5, 7.5, 7.5 after each flip.
        using var model = Linear();
        using var x = Images(X);
        var e = Explain(1, 1, [0], [Map], OutputSpace.Logits);
        var white = new PixelFlipping(new PixelFlippingOptions(PerturbBaseline: "white")).Evaluate(model, x, e);
        Assert.Equal(new[] { 6.5, 7.5, 7.5, 7.5 }, Assert.IsType<DeletionCurves>(white.Detail).Attribution[0].Select(v => Math.Round(v, 5)));
        var zero = new PixelFlipping(new PixelFlippingOptions(PerturbBaseline: "0")).Evaluate(model, x, e);
        Assert.Equal(new[] { 2.5, 1.5, 0.5, 0 }, Assert.IsType<DeletionCurves>(zero.Detail).Attribution[0].Select(v => Math.Round(v, 5)));
        Assert.Throws<GlassboxException>(() => new PixelFlipping(new PixelFlippingOptions(PerturbBaseline: "grey")));
    }
}

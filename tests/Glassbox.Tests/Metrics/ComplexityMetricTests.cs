using Glassbox.Attribution;
using Glassbox.Metrics.Complexity;
using static Glassbox.Tests.Metrics.MetricTestModels;

namespace Glassbox.Tests.Metrics;

public class ComplexityMetricTests
{
    private static Explanation Maps(params float[][] maps) => Explain(maps.Length, 1, new int[maps.Length], maps, OutputSpace.Logits);

    [Fact]
    public void Complexity_IsTheEntropyOfTheFractionalAbsoluteContributions()
    {
        using var model = Linear();
        using var x = Images([0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]);
        var r = new Glassbox.Metrics.Complexity.Complexity().Evaluate(model, x, Maps([0, 0, 5, 0], [1, 1, 1, 1], [1, -1, 2, 0], [0, 0, 0, 0]));
        Assert.Equal(0, r.Scores[0], 9);
        Assert.Equal(Math.Log(4), r.Scores[1], 9);
        Assert.Equal(-(2 * 0.25 * Math.Log(0.25) + 0.5 * Math.Log(0.5)), r.Scores[2], 9);
        Assert.True(double.IsNaN(r.Scores[3]));
        Assert.False(new Glassbox.Metrics.Complexity.Complexity().HigherIsBetter);
    }

    [Fact]
    public void EffectiveComplexity_CountsPixelsAboveEps_AfterDividingByTheMaximum()
    {
        using var model = Linear();
        using var x = Images([0, 0, 0, 0], [0, 0, 0, 0]);
        var e = Maps([1e-6f, 0.5f, 1f, 0f], [-1f, 0.5f, 0f, 0f]);
        Assert.Equal([2.0, 2.0], new EffectiveComplexity().Evaluate(model, x, e).Scores);
        Assert.Equal([2.0, 1.0], new EffectiveComplexity(new(Absolute: false)).Evaluate(model, x, e).Scores);
        // Without normalising, eps is absolute: 1e-6·100 stays below 0.5 but above 1e-5 only when scaled.
        var small = Maps([2e-5f, 4e-6f, 0f, 0f]);
        Assert.Equal([1.0], new EffectiveComplexity(new(Normalise: false)).Evaluate(model, x.narrow(0, 0, 1), small).Scores);
        Assert.Equal([2.0], new EffectiveComplexity().Evaluate(model, x.narrow(0, 0, 1), small).Scores); // 4e-6 / 2e-5 = 0.2
        Assert.Contains("eps", Assert.Throws<GlassboxException>(() => new EffectiveComplexity(new(Eps: double.NaN)).Evaluate(model, x, e)).Message);
    }
}

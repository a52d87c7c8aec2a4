using Glassbox.Attribution;
using Glassbox.Metrics;
using Glassbox.Metrics.Complexity;
using static TorchSharp.torch;

namespace Glassbox.Tests.Metrics;

/// <summary>Sparseness (Gini index, Quantus' definition) on hand-computed maps.</summary>
public class SparsenessTests
{
    private static Explanation Maps(int c, int h, int w, params float[][] maps)
    {
        var values = maps.SelectMany(m => m).ToArray();
        int n = maps.Length;
        return new Explanation("test", new object(), values, [n, 1, c, h, w], new int[n], OutputSpace.Logits, new double[n], new double[n], null, 1e-4);
    }

    [Fact]
    public void Gini_OfHandComputedMaps()
    {
        var e = Maps(1, 2, 2, [1, 1, 1, 1], [0, 0, 0, 5], [0, -1, 3, 0]);
        var scores = new Sparseness().Evaluate(null!, zeros(3, 1, 2, 2), e).Scores;
        Assert.Equal(0, scores[0], 12); // every pixel the same
        // One pixel holds all: normalised [0,0,0,1] + 1e-7 → Σ(2i−5)a_(i) / (4 Σa) = (−3−1+1)·1e-7 + 3·(1+1e-7) over 4·(1+4e-7).
        Assert.Equal(3 / (4 * (1 + 4e-7)), scores[1], 12);
        // |[0,−1,3,0]| / 3 sorted: [0, 0, 1/3, 1] + 1e-7: (−3·a1 − a2 + a3 + 3·a4) / (4 Σa).
        double a1 = 1e-7, a2 = 1e-7, a3 = 1.0 / 3 + 1e-7, a4 = 1 + 1e-7;
        Assert.Equal((-3 * a1 - a2 + a3 + 3 * a4) / (4 * (a1 + a2 + a3 + a4)), scores[2], 12);
    }

    [Fact]
    public void ChannelsAreSummedPerPixel_AndTheMetricDeclaresItself()
    {
        // Two channels that cancel on one pixel: the pixel map is [0, 2], as sparse as a one-hot.
        var two = Maps(2, 1, 2, [1, 1, -1, 1]);
        var one = Maps(1, 1, 2, [0, 2]);
        var metric = new Sparseness();
        Assert.Equal(metric.Evaluate(null!, zeros(1, 2, 1, 2), two).Scores[0], metric.Evaluate(null!, zeros(1, 1, 1, 2), one).Scores[0], 12);
        Assert.Equal((MetricCategory.Complexity, true, MetricRequirement.None), (metric.Category, metric.HigherIsBetter, metric.Requirement));
        Assert.Same(typeof(Sparseness), MetricCatalog.Default.Get("sparseness").Metric.GetType());
        // Signed option: without abs, negative values sort first.
        Assert.NotEqual(metric.Evaluate(null!, zeros(1, 1, 2, 2), Maps(1, 2, 2, [0, -1, 3, 0])).Scores[0],
            new Sparseness(new SparsenessOptions(Absolute: false)).Evaluate(null!, zeros(1, 1, 2, 2), Maps(1, 2, 2, [0, -1, 3, 0])).Scores[0]);
    }
}

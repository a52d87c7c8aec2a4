using Glassbox.Attribution;
using Glassbox.Metrics.Faithfulness;
using static Glassbox.Tests.Metrics.MetricTestModels;

namespace Glassbox.Tests.Metrics.Faithfulness;

public class MonotonicityCorrelationTests
{
    private static readonly float[] X = [1f, 0.25f, 0.75f, 0.5f];

    [Fact]
    public void MonotonicityCorrelation_WithZeroReplacements_IsTheHandComputedSpearman()
    {
        // Replacing pixel i by 0 changes a = 5.5 by −W_i x_i, so the variance is (W_i x_i)² / 5.5².
        // Map W⊙x orders pixels 3, 1, 2, 0 and the variances agree (ρ = 1); map W orders 3, 2, 1, 0 and the
        // variances rank 1, 3, 2, 4 (ρ = 1 − 6·2 / (4·15) = 0.8).
        using var model = Linear();
        using var x = Images(X);
        var options = new MonotonicityCorrelationOptions(NrSamples: 3, UniformLow: 0, UniformHigh: 0);
        var exact = new MonotonicityCorrelation(options).Evaluate(model, x, Explain(1, 1, [0], [[4f, 0.5f, 0.75f, 0.25f]], OutputSpace.Logits));
        Assert.Equal("monotonicity-correlation", exact.Metric);
        Assert.Equal(1, exact.Scores[0], 1e-9);
        var detail = Assert.IsType<MonotonicityCorrelationDetail>(exact.Detail);
        double[] sums = [0.0625, 0.125, 0.1875, 1], variances = [0.0625, 0.25, 0.5625, 16];
        for (int s = 0; s < 4; s++)
        {
            Assert.Equal(sums[s], detail.AttributionSums[0][s], 1e-6);
            Assert.Equal(variances[s] / 30.25, detail.Variances[0][s], 1e-6);
        }
        var byWeight = new MonotonicityCorrelation(options).Evaluate(model, x, Explain(1, 1, [0], [W], OutputSpace.Logits));
        Assert.Equal(0.8, byWeight.Scores[0], 1e-9);
    }

    [Fact]
    public void MonotonicityCorrelation_WithUniformReplacements_RanksTheLinearWeights()
    {
        // Uniform u: E(u − 0.5)² W_i² on x = 0.5 everywhere; the weights differ by 4× so 100 samples keep the order.
        using var model = Linear();
        using var x = Images([0.5f, 0.5f, 0.5f, 0.5f]);
        var r = new MonotonicityCorrelation().Evaluate(model, x, Explain(1, 1, [0], [W], OutputSpace.Logits));
        Assert.Equal(1, r.Scores[0], 1e-9);
        var reversed = new MonotonicityCorrelation().Evaluate(model, x, Explain(1, 1, [0], [W.Select(v => 1 / v).ToArray()], OutputSpace.Logits));
        Assert.Equal(-1, reversed.Scores[0], 1e-9);
    }
}

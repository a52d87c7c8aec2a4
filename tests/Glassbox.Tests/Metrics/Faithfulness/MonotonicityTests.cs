using Glassbox.Attribution;
using Glassbox.Metrics.Faithfulness;
using static Glassbox.Tests.Metrics.MetricTestModels;

namespace Glassbox.Tests.Metrics.Faithfulness;

public class MonotonicityTests
{
    private static readonly float[] X = [1f, 0.25f, 0.75f, 0.5f];

    [Fact]
    public void Monotonicity_RevealsFeaturesFromLeastToMostImportant_AndPassesWhenTheLogitOnlyRises()
    {
        // From all-black, reveal by |W| ascending (pixels 3, 2, 1, 0): a = 0.25, 1.0, 1.5, 5.5.
        using var model = Linear();
        using var x = Images(X);
        var r = new Monotonicity().Evaluate(model, x, Explain(1, 1, [0], [W], OutputSpace.Logits));
        Assert.Equal("monotonicity", r.Metric);
        Assert.Equal(1, r.Scores[0]);
        var curve = Assert.IsType<double[][]>(r.Detail)[0];
        double[] expected = [0.25, 1.0, 1.5, 5.5];
        for (int s = 0; s < 4; s++) Assert.Equal(expected[s], curve[s], 1e-5);
    }

    [Fact]
    public void Monotonicity_FailsWhenARevealedFeatureLowersTheProbability_AndStepsGroupFeatures()
    {
        // p(a) = σ(Σ (W − V)_i x_i), W − V = 4, 1, −1, −2.5: revealing pixel 3 then 2 gives σ(−1.25), σ(−2) — a fall.
        using var model = Linear();
        using var x = Images(X);
        var e = Explain(1, 1, [0], [W], OutputSpace.Probabilities);
        var one = new Monotonicity().Evaluate(model, x, e);
        Assert.Equal(0, one.Scores[0]);
        double[] expected = [Sigmoid(-1.25), Sigmoid(-2), Sigmoid(-1.75), Sigmoid(2.25)];
        var curve = Assert.IsType<double[][]>(one.Detail)[0];
        for (int s = 0; s < 4; s++) Assert.Equal(expected[s], curve[s], 1e-6);
        // Two features per step: σ(−2), σ(2.25) — rising.
        var two = new Monotonicity(new MonotonicityOptions(FeaturesInStep: 2)).Evaluate(model, x, e);
        Assert.Equal(1, two.Scores[0]);
        Assert.Equal(2, Assert.IsType<double[][]>(two.Detail)[0].Length);
    }
}

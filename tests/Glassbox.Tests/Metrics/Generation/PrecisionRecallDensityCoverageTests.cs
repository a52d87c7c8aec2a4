using Glassbox.Metrics.Generation;
using static Glassbox.Tests.Metrics.Generation.GenerationTestData;

namespace Glassbox.Tests.Metrics.Generation;

public class PrecisionRecallDensityCoverageTests
{
    // Real r0..r3 at x = 0, 1, 3, 10; generated f0..f2 at x = 0.5, 3.2, 20 (all on the line y = 1).
    private static readonly double[,] Real = Rows([0, 1], [1, 1], [3, 1], [10, 1]);
    private static readonly double[,] Fake = Rows([0.5, 1], [3.2, 1], [20, 1]);

    [Fact]
    public void HandBuiltPoints_GiveTheHandWorkedScores()
    {
        // k = 1 radii: real 1, 1, 2, 7; generated 2.7, 2.7, 16.8.
        //   precision: f0 in r0's ball (0.5 < 1), f1 in r2's (0.2 < 2), f2 in none (10 ≥ 7) → 2/3.
        //   recall: r0, r1 in f0's ball, r2 in f1's, r3 in f2's (10 < 16.8) → 1.
        // k = 2 radii of the real points: 3, 2, 3, 9.
        //   density: f0 in r0, r1, r2 (3 balls), f1 in r2, r3 (2), f2 in none → (3 + 2 + 0) / (2·3) = 5/6.
        //   coverage: nearest generated 0.5 < 3, 0.5 < 2, 0.2 < 3, 6.8 < 9 → 1.
        var r = new PrecisionRecallDensityCoverage(new PrecisionRecallDensityCoverageOptions(PrecisionRecallK: 1, DensityCoverageK: 2)).Compute(Real, Fake);
        Assert.Equal(2.0 / 3, r.Precision, 1e-12);
        Assert.Equal(1.0, r.Recall, 1e-12);
        Assert.Equal(5.0 / 6, r.Density, 1e-12);
        Assert.Equal(1.0, r.Coverage, 1e-12);
    }

    [Fact]
    public void SwappingTheSets_SwapsPrecisionAndRecall()
    {
        // Generated as real: k = 1 radii 2.7, 2.7, 16.8 (precision = old recall); real as generated: radii 1, 1, 2, 7.
        // Coverage with k = 1: f0 nearest real 0.5 < 2.7, f1 0.2 < 2.7, f2 10 < 16.8 → 1; density: r0 in f0's ball (0.5), r1 in f0's
        // (0.5) and f1's (2.2 < 2.7), r2 in f0's (2.5) and f1's (0.2), r3 in f2's (10 < 16.8) → (1 + 2 + 2 + 1) / (1·4) = 3/2.
        var r = new PrecisionRecallDensityCoverage(new PrecisionRecallDensityCoverageOptions(PrecisionRecallK: 1, DensityCoverageK: 1)).Compute(Fake, Real);
        Assert.Equal(1.0, r.Precision, 1e-12);
        Assert.Equal(2.0 / 3, r.Recall, 1e-12);
        Assert.Equal(1.5, r.Density, 1e-12);
        Assert.Equal(1.0, r.Coverage, 1e-12);
    }

    [Fact]
    public void IdenticalSets_WithDefaultK_ScoreOneEverywhere()
    {
        // Without ties every point lies in its own ball and in the balls of exactly k − 1 others (strict <), so density = 1.
        var x = Correlated(30, 4, seed: 20);
        var r = new PrecisionRecallDensityCoverage().Compute(x, x);
        Assert.Equal(new PrecisionRecallDensityCoverageResult(1, 1, 1, 1), r);
    }

    [Fact]
    public void FarAwayGenerated_ScoresZero()
    {
        var real = Correlated(20, 3, seed: 21);
        var fake = Correlated(20, 3, seed: 22);
        for (int i = 0; i < 20; i++) fake[i, 0] += 1000;
        Assert.Equal(new PrecisionRecallDensityCoverageResult(0, 0, 0, 0), new PrecisionRecallDensityCoverage().Compute(real, fake));
    }

    [Fact]
    public void BadInput_IsAClearError()
    {
        var prdc = new PrecisionRecallDensityCoverage();
        // Default k = 5 for density/coverage needs 6 real samples; 4 are too few.
        var e = Assert.Throws<GlassboxException>(() => prdc.Compute(Real, Correlated(10, 2, seed: 23)));
        Assert.Contains("k = 5", e.Message);
        // Precision/recall k = 3 needs 4 generated samples.
        Assert.Contains("k = 3", Assert.Throws<GlassboxException>(() => prdc.Compute(Correlated(10, 2, seed: 24), Fake)).Message);
        Assert.Contains("columns", Assert.Throws<GlassboxException>(() => prdc.Compute(Correlated(10, 2, seed: 25), Correlated(10, 3, seed: 26))).Message);
        var nan = Correlated(10, 2, seed: 27);
        nan[3, 1] = double.NaN;
        Assert.Contains("non-finite", Assert.Throws<GlassboxException>(() => prdc.Compute(nan, Correlated(10, 2, seed: 28))).Message);
        Assert.Throws<GlassboxException>(() => new PrecisionRecallDensityCoverage(new PrecisionRecallDensityCoverageOptions(PrecisionRecallK: 0)));
    }
}

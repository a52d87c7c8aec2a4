using Glassbox.Metrics.Agreement;

namespace Glassbox.Tests.Metrics;

public class AgreementMetricTests
{
    [Fact]
    public void Ranks_AreOneBased_WithTiesGivenTheirAverageRank()
    {
        Assert.Equal(new[] { 2.0, 3.5, 3.5, 1.0 }, SpearmanRankCorrelation.Ranks([10f, 20f, 20f, 5f]));
        Assert.Equal(new[] { 2.0, 2.0, 2.0, 4.0 }, SpearmanRankCorrelation.Ranks([0f, 0f, 0f, 1f]));
        Assert.Equal(new[] { 3.0, 1.0, 2.0 }, SpearmanRankCorrelation.Ranks([-1f, -3f, -2f]));
    }

    [Fact]
    public void Spearman_WithoutTies_MatchesTheTextbookFormula()
    {
        // ranks differ by d = (0, 1, −1, 0): ρ = 1 − 6·Σd² / (n(n²−1)) = 1 − 12/60 = 0.8.
        Assert.Equal(0.8, SpearmanRankCorrelation.Compute([1f, 2f, 3f, 4f], [10f, 30f, 20f, 40f]), 1e-12);
        // d = (−2, 0, 2, −1, 1): Σd² = 10, n = 5: 1 − 60/120 = 0.5.
        Assert.Equal(0.5, SpearmanRankCorrelation.Compute([1f, 2f, 3f, 4f, 5f], [3f, 2f, 1f, 5f, 4f]), 1e-12);
    }

    [Fact]
    public void Spearman_WithTies_IsPearsonOfAverageRanks()
    {
        // ranks a = 1..5, ranks b = (1, 2, 3.5, 5, 3.5); deviations from 3: (−2,−1,0,1,2) and (−2,−1,0.5,2,0.5):
        // Σab = 8, Σa² = 10, Σb² = 9.5: ρ = 8 / √95.
        double rho = SpearmanRankCorrelation.Compute([1f, 2f, 3f, 4f, 5f], [5f, 6f, 7f, 8f, 7f]);
        Assert.Equal(8 / Math.Sqrt(95), rho, 1e-12);
        Assert.Equal(0.8207826816681233, rho, 1e-12);
    }

    [Fact]
    public void Spearman_SameOrder_IsOne_EvenForNonLinearMonotoneMaps()
    {
        float[] a = [0.1f, -2f, 3f, 0.5f, 7f, -0.3f];
        float[] cubed = a.Select(v => v * v * v + 10).ToArray();
        Assert.Equal(1.0, SpearmanRankCorrelation.Compute(a, a), 1e-12);
        Assert.Equal(1.0, SpearmanRankCorrelation.Compute(a, cubed), 1e-12);
    }

    [Fact]
    public void Spearman_ReversedOrder_IsMinusOne()
    {
        float[] a = [1f, 2f, 3f, 4f, 5f, 6f, 7f];
        float[] reversed = a.Select(v => -v).ToArray();
        Assert.Equal(-1.0, SpearmanRankCorrelation.Compute(a, reversed), 1e-12);
        Assert.Equal(-1.0, SpearmanRankCorrelation.Compute(a, a.Reverse().ToArray()), 1e-12);
    }

    [Fact]
    public void Spearman_ConstantMapOrTooShort_IsNaN_AndSizeMismatchThrows()
    {
        Assert.True(double.IsNaN(SpearmanRankCorrelation.Compute([1f, 2f, 3f], [4f, 4f, 4f])));
        Assert.True(double.IsNaN(SpearmanRankCorrelation.Compute([0f, 0f], [1f, 2f])));
        Assert.True(double.IsNaN(SpearmanRankCorrelation.Compute([1f], [2f])));
        Assert.Throws<ArgumentException>(() => SpearmanRankCorrelation.Compute([1f, 2f], [1f, 2f, 3f]));
    }

    [Fact]
    public void TopFraction_IdenticalMaps_OverlapFully()
    {
        float[] a = Enumerable.Range(0, 100).Select(i => (float)Math.Sin(i)).ToArray();
        Assert.Equal(1.0, TopFractionOverlap.Compute(a, a, 0.1));
        Assert.Equal(1.0, TopFractionOverlap.Compute(a, a, 1.0));
    }

    [Fact]
    public void TopFraction_DisjointTopSets_OverlapZero()
    {
        float[] a = [8f, 7f, 6f, 5f, 4f, 3f, 2f, 1f];
        float[] b = a.Reverse().ToArray();
        Assert.Equal(0.0, TopFractionOverlap.Compute(a, b, 0.25)); // top-2 {0,1} vs {6,7}
        Assert.Equal(0.0, TopFractionOverlap.Compute(a, b, 0.5));  // top-4 {0..3} vs {4..7}
    }

    [Fact]
    public void TopFraction_HandCase_CountsSharedPixelsOverK()
    {
        // k = ceil(0.5 · 6) = 3; top(a) = {0, 1, 2}; top(b) = {0, 2, 4}: 2 shared → 2/3.
        float[] a = [9f, 8f, 7f, 1f, 0f, -1f];
        float[] b = [5f, -9f, 4f, 0f, 3f, 1f];
        Assert.Equal(2.0 / 3, TopFractionOverlap.Compute(a, b, 0.5), 1e-12);
        // Signed, not absolute: a large negative value is not "important".
        Assert.Equal(new[] { 0, 2, 4 }, TopFractionOverlap.Top(b, 3));
        // k rounds up: ceil(0.1 · 6) = 1; both tops are pixel 0.
        Assert.Equal(1.0, TopFractionOverlap.Compute(a, b, 0.1));
    }

    [Fact]
    public void TopFraction_TiesGoToTheLowerIndex_AndBadArgumentsThrow()
    {
        Assert.Equal(new[] { 1, 3, 0 }, TopFractionOverlap.Top([0f, 2f, -1f, 2f, 0f], 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => TopFractionOverlap.Compute([1f, 2f], [1f, 2f], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => TopFractionOverlap.Compute([1f, 2f], [1f, 2f], 1.5));
        Assert.Throws<ArgumentException>(() => TopFractionOverlap.Compute([1f, 2f], [1f], 0.5));
    }
}

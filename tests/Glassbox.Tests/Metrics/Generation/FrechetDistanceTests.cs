using Glassbox.Metrics.Generation;
using static Glassbox.Tests.Metrics.Generation.GenerationTestData;

namespace Glassbox.Tests.Metrics.Generation;

public class FrechetDistanceTests
{
    [Fact]
    public void DiagonalGaussians_ReduceToMeanGapPlusSquaredRootGaps()
    {
        // ‖(0,0)−(1,2)‖² = 5; Σ(√a−√b)² = (1−3)² + (2−4)² = 8.
        var r = new FrechetDistance().Compute([0, 0], Rows([1, 0], [0, 4]), [1, 2], Rows([9, 0], [0, 16]));
        Assert.Equal(13, r.Distance, 1e-9);
        Assert.Equal(5, r.MeanTerm, 1e-12);
        Assert.Equal(8, r.TraceTerm, 1e-9);
        Assert.False(r.OffsetApplied);
    }

    [Fact]
    public void NonCommutingCovariances_MatchTheTwoByTwoClosedForm()
    {
        // For 2×2 with real non-negative eigenvalues, Tr √M = √(Tr M + 2√det M); Σ₁Σ₂ = [[2,3],[1,6]], det = 3·3.
        var s1 = Rows([2, 1], [1, 2]);
        var s2 = Rows([1, 0], [0, 3]);
        var r = new FrechetDistance().Compute([0, 0], s1, [0, 0], s2);
        Assert.Equal(4 + 4 - 2 * Math.Sqrt(8 + 2 * 3), r.Distance, 1e-9);
        var swapped = new FrechetDistance().Compute([0, 0], s2, [0, 0], s1);
        Assert.Equal(r.Distance, swapped.Distance, 1e-9);
    }

    [Fact]
    public void SamplesFromKnownGaussians_ApproachTheClosedForm()
    {
        var real = Gaussian(20000, [0, 0], [1, 2], seed: 1);
        var fake = Gaussian(20000, [1, 2], [3, 4], seed: 2);
        var r = new FrechetDistance().Compute(real, fake);
        Assert.InRange(r.Distance, 13 - 0.4, 13 + 0.4);
        var same = new FrechetDistance().Compute(real, Gaussian(20000, [0, 0], [1, 2], seed: 3));
        Assert.InRange(same.Distance, 0, 0.01);
    }

    [Fact]
    public void IdenticalSets_AreAtDistanceZero_EvenWithFewerSamplesThanFeatures()
    {
        var x = Correlated(50, 6, seed: 4);
        Assert.Equal(0, new FrechetDistance().Compute(x, x).Distance, 1e-6);
        var wide = Correlated(4, 8, seed: 5);
        Assert.Equal(0, new FrechetDistance().Compute(wide, wide).Distance, 1e-6);
    }

    [Fact]
    public void Distance_IsSymmetric_AndTensorsGiveTheSameValue()
    {
        var a = Correlated(60, 5, seed: 6);
        var b = Correlated(40, 5, seed: 7);
        for (int i = 0; i < 40; i++) b[i, 2] += 0.7;
        var ab = new FrechetDistance().Compute(a, b).Distance;
        var ba = new FrechetDistance().Compute(b, a).Distance;
        Assert.True(ab > 0.1);
        Assert.Equal(ab, ba, 1e-9 * ab);
        using var ta = TorchSharp.torch.tensor(Flatten(a), [60, 5], TorchSharp.torch.ScalarType.Float32);
        using var tb = TorchSharp.torch.tensor(Flatten(b), [40, 5], TorchSharp.torch.ScalarType.Float64);
        Assert.Equal(ab, new FrechetDistance().Compute(ta, tb).Distance, 1e-4 * ab);
    }

    [Theory]
    [InlineData(40, 30, 6, 3.014571928171332)]
    [InlineData(200, 150, 10, 13.163977557190588)]
    public void MatchesPytorchFidsScipyComputation(int n, int m, int d, double expected)
    {
        // Expected values: pytorch-fid's recipe (np.cov, scipy.linalg.sqrtm, real part) run with numpy 1.x / scipy 1.10 on these formulas.
        var real = new double[n, d];
        var fake = new double[m, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) real[i, j] = Math.Sin(0.37 * i * (j + 1) + j);
        for (int i = 0; i < m; i++)
            for (int j = 0; j < d; j++) fake[i, j] = Math.Cos(0.53 * i + 0.29 * j * (i % 7)) + 0.2 * j;
        Assert.Equal(expected, new FrechetDistance().Compute(real, fake).Distance, 1e-8);
    }

    [Fact]
    public void BadInput_IsAClearError()
    {
        var fd = new FrechetDistance();
        var x = Correlated(10, 3, seed: 8);
        var nan = (double[,])x.Clone();
        nan[2, 1] = double.NaN;
        Assert.Contains("non-finite", Assert.Throws<GlassboxException>(() => fd.Compute(x, nan)).Message);
        Assert.Contains("columns", Assert.Throws<GlassboxException>(() => fd.Compute(x, Correlated(10, 4, seed: 9))).Message);
        Assert.Contains("too few", Assert.Throws<GlassboxException>(() => fd.Compute(x, Rows([1, 2, 3]))).Message);
        Assert.Throws<GlassboxException>(() => new FrechetDistance(new FrechetDistanceOptions(Eps: -1)));
    }

    private static double[] Flatten(double[,] x) => x.Cast<double>().ToArray();
}

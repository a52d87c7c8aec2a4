using Glassbox.Metrics.Generation;
using static Glassbox.Tests.Metrics.Generation.GenerationTestData;

namespace Glassbox.Tests.Metrics.Generation;

public class KernelInceptionDistanceTests
{
    [Fact]
    public void TinySet_WithTheCubicKernel_EqualsTheHandComputedUnbiasedMmd()
    {
        // D = 1, k(x,y) = (xy + 1)³; x = {1, 2}, y = {3, 5}:
        // Kxx off-diagonal 27·2/2 = 27, Kyy 4096·2/2 = 4096, Kxy (64 + 216 + 343 + 1331)·2/4 = 977 → 3146.
        var kid = new KernelInceptionDistance(new KernelInceptionDistanceOptions(Subsets: 3));
        var r = kid.Compute(Rows([1], [2]), Rows([3], [5]));
        Assert.Equal(2, r.SubsetSize); // 1000 clamped to the sample count
        Assert.All(r.Values, v => Assert.Equal(3146, v, 1e-9));
        Assert.Equal(3146, r.Mean, 1e-9);
        Assert.Equal(0, r.Std, 1e-9);
    }

    [Fact]
    public void LinearHandKernel_GivesTheUnbiasedEstimate()
    {
        // k(x,y) = xy: Kxx (2·2)/2 = 2, Kyy (2·15)/2 = 15, Kxy 2·24/4 = 12 → 5.
        var kid = new KernelInceptionDistance(new KernelInceptionDistanceOptions(Subsets: 1, Degree: 1, Gamma: 1, Coef: 0));
        Assert.Equal(5, kid.Compute(Rows([1], [2]), Rows([3], [5])).Mean, 1e-12);
        Assert.Equal(5, KernelInceptionDistance.UnbiasedMmd2(Rows([1, 2], [2, 4]), Rows([9, 15], [15, 25]), Rows([3, 5], [6, 10])), 1e-12);
    }

    [Fact]
    public void SameDistribution_IsNearZero_AndAShiftIsClearlyPositive()
    {
        var o = new KernelInceptionDistanceOptions(Subsets: 20, SubsetSize: 200, RandomSeed: 3);
        var mean = new double[8];
        var std = Enumerable.Repeat(1.0, 8).ToArray();
        var real = Gaussian(400, mean, std, seed: 10);
        var same = new KernelInceptionDistance(o).Compute(real, Gaussian(400, mean, std, seed: 11));
        var shifted = new KernelInceptionDistance(o).Compute(real, Gaussian(400, Enumerable.Repeat(1.0, 8).ToArray(), std, seed: 12));
        Assert.InRange(Math.Abs(same.Mean), 0, 0.05);
        Assert.True(shifted.Mean > 1.0, $"shifted KID {shifted.Mean}");
        Assert.True(shifted.Mean > 20 * Math.Abs(same.Mean));
        Assert.Equal(200, same.SubsetSize);
        Assert.Equal(20, same.Values.Length);
    }

    [Fact]
    public void Seed_FixesTheSubsets()
    {
        var real = Correlated(50, 3, seed: 13);
        var fake = Correlated(60, 3, seed: 14);
        var a = new KernelInceptionDistance(new KernelInceptionDistanceOptions(Subsets: 5, SubsetSize: 10, RandomSeed: 1)).Compute(real, fake);
        var b = new KernelInceptionDistance(new KernelInceptionDistanceOptions(Subsets: 5, SubsetSize: 10, RandomSeed: 1)).Compute(real, fake);
        var c = new KernelInceptionDistance(new KernelInceptionDistanceOptions(Subsets: 5, SubsetSize: 10, RandomSeed: 2)).Compute(real, fake);
        Assert.Equal(a.Values, b.Values);
        Assert.NotEqual(a.Values, c.Values);
        Assert.True(a.Std > 0);
    }

    [Fact]
    public void BadInput_IsAClearError()
    {
        var kid = new KernelInceptionDistance();
        var x = Correlated(10, 3, seed: 15);
        var nan = (double[,])x.Clone();
        nan[0, 0] = double.PositiveInfinity;
        Assert.Contains("non-finite", Assert.Throws<GlassboxException>(() => kid.Compute(nan, x)).Message);
        Assert.Contains("columns", Assert.Throws<GlassboxException>(() => kid.Compute(x, Correlated(10, 2, seed: 16))).Message);
        Assert.Contains("too few", Assert.Throws<GlassboxException>(() => kid.Compute(x, Rows([1, 2, 3]))).Message);
        Assert.Throws<GlassboxException>(() => new KernelInceptionDistance(new KernelInceptionDistanceOptions(SubsetSize: 1)));
    }
}

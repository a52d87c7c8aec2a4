using Glassbox.Attribution;
using Glassbox.Metrics.Agreement;
using static Glassbox.Tests.Metrics.MetricTestModels;

namespace Glassbox.Tests.Metrics;

public class ModelAgreementTests
{
    private static Explanation One(params float[] map) => Explain(1, 1, [0], [map], OutputSpace.Logits, method: "M");

    [Fact]
    public void Compare_GivesPairwiseMatrices_WithMeanSpreadAndWorstPair()
    {
        // Models A and B rank the pixels alike, C reverses them: ρ(A,B) = 1, ρ(A,C) = ρ(B,C) = −1.
        var r = new ModelAgreement(new(TopFraction: 0.25)).Compare([One(1, 2, 3, 4), One(10, 20, 30, 40), One(4, 3, 2, 1)]);
        Assert.Equal("M", r.Method);
        Assert.Equal(3, r.Count);
        Assert.Equal([1.0, 1.0, -1.0], r.Spearman.Values[0], new Tolerance());
        Assert.Equal([-1.0, -1.0, 1.0], r.Spearman.Values[2], new Tolerance());
        Assert.Equal(-1.0 / 3, r.Spearman.Mean, 12);
        Assert.Equal(Math.Sqrt(24.0 / 27), r.Spearman.Std, 12); // deviations 4/3, −2/3, −2/3
        Assert.Equal(-1, r.Spearman.Min, 12);
        // Top 25 % = one pixel: pixel 3 for A and B, pixel 0 for C.
        Assert.Equal([1.0, 1.0, 0.0], r.TopOverlap.Values[0], new Tolerance());
        Assert.Equal(1.0 / 3, r.TopOverlap.Mean, 12);
        Assert.Equal(0, r.TopOverlap.Min, 12);
    }

    [Fact]
    public void Compare_AveragesOverMaps_AndAbsoluteComparesImportanceRegardlessOfSign()
    {
        var a = Explain(2, 1, [0, 1], [[1, 2, 3, 4], [1, 2, 3, 4]], OutputSpace.Logits, method: "M");
        var b = Explain(2, 1, [0, 1], [[1, 2, 3, 4], [-1, -2, -3, -4]], OutputSpace.Logits, method: "M");
        var signed = new ModelAgreement().Compare([a, b]);
        Assert.Equal(0, signed.Spearman.Mean, 12);   // (1 + −1) / 2
        Assert.Equal(0, signed.Spearman.Std, 12);    // one pair
        var absolute = new ModelAgreement(new(Absolute: true)).Compare([a, b]);
        Assert.Equal(1, absolute.Spearman.Mean, 12);
        var perMethod = new ModelAgreement().Compare(new[] { (IReadOnlyList<Explanation>)[a, b], [b, a, a] });
        Assert.Equal([2, 3], perMethod.Select(p => p.Count));
    }

    [Fact]
    public void Compare_RefusesFewerThanTwoModels_MixedMethods_AndDifferentTargets()
    {
        var m = new ModelAgreement();
        Assert.Contains("at least 2 models", Assert.Throws<GlassboxException>(() => m.Compare([One(1, 2, 3, 4)])).Message);
        var other = Explain(1, 1, [0], [[1, 2, 3, 4]], OutputSpace.Logits, method: "N");
        Assert.Contains("group them by method", Assert.Throws<GlassboxException>(() => m.Compare([One(1, 2, 3, 4), other])).Message);
        var target1 = Explain(1, 1, [1], [[1, 2, 3, 4]], OutputSpace.Logits, method: "M");
        Assert.Contains("different classes", Assert.Throws<GlassboxException>(() => m.Compare([One(1, 2, 3, 4), target1])).Message);
    }

    private sealed class Tolerance : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) < 1e-12;
        public int GetHashCode(double obj) => 0;
    }
}

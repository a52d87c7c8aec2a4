using Glassbox.Data;

namespace Glassbox.Tests.Data;

public class StratifiedSplitTests
{
    private static readonly int[] Labels = Enumerable.Range(0, 1000).Select(i => i % 7 == 0 ? 2 : i % 3).ToArray();

    [Fact]
    public void Split_IsDeterministicForASeed()
    {
        var a = StratifiedSplit.Split(Labels, 0.8, 42);
        var b = StratifiedSplit.Split(Labels, 0.8, 42);
        Assert.Equal(a.First, b.First);
        Assert.Equal(a.Second, b.Second);
        var c = StratifiedSplit.Split(Labels, 0.8, 43);
        Assert.NotEqual(a.First, c.First);
    }

    [Fact]
    public void Split_IsDisjointAndCoversAllIndices()
    {
        var (first, second) = StratifiedSplit.Split(Labels, 0.3, 7);
        Assert.Empty(first.Intersect(second));
        Assert.Equal(Enumerable.Range(0, Labels.Length), first.Concat(second).Order());
    }

    [Fact]
    public void Split_TakesRoundedFractionOfEachClass()
    {
        var (first, _) = StratifiedSplit.Split(Labels, 0.25, 1);
        foreach (int c in Labels.Distinct())
        {
            int total = Labels.Count(l => l == c);
            Assert.Equal((int)Math.Round(0.25 * total, MidpointRounding.AwayFromZero), first.Count(i => Labels[i] == c));
        }
    }

    [Fact]
    public void Split_ReturnsShuffledNotSortedIndices()
    {
        var (first, second) = StratifiedSplit.Split(Labels, 0.5, 3);
        Assert.NotEqual(first.Order(), first);
        Assert.NotEqual(second.Order(), second);
    }

    [Fact]
    public void Split_RejectsFractionOutsideZeroToOne()
    {
        Assert.Throws<GlassboxException>(() => StratifiedSplit.Split(Labels, 1.5, 0));
        Assert.Throws<GlassboxException>(() => StratifiedSplit.Split(Labels, double.NaN, 0));
    }
}

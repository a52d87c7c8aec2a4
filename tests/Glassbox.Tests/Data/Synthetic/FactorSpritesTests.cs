using Glassbox.Data;
using Glassbox.Data.Synthetic;
using Glassbox.IO;
using Glassbox.Tests.IO;

namespace Glassbox.Tests.Data.Synthetic;

/// <summary>The synthetic factors set: deterministic, every grid point once, each factor moving the picture as named.</summary>
public class FactorSpritesTests
{
    private static (double X, double Y, double Area) Moments(int[] factors)
    {
        var px = new byte[FactorSprites.Size * FactorSprites.Size];
        FactorSprites.Render(factors, px);
        double sum = 0, x = 0, y = 0;
        for (int i = 0; i < px.Length; i++)
        {
            sum += px[i];
            x += px[i] * (i % FactorSprites.Size);
            y += px[i] * (i / FactorSprites.Size);
        }
        return (x / sum, y / sum, sum / 255);
    }

    [Fact]
    public void Create_IsDeterministic_AndHoldsEveryFactorCombinationOnce()
    {
        var a = FactorSprites.Create(new FactorSpritesOptions(Seed: 3));
        var b = FactorSprites.Create(new FactorSpritesOptions(Seed: 3));
        var c = FactorSprites.Create(new FactorSpritesOptions(Seed: 4, Count: 100));
        Assert.Equal(7680, FactorSprites.GridSize);
        Assert.Equal(a.Pixels, b.Pixels);
        Assert.Equal(a.Factors, b.Factors);
        Assert.NotEqual(a.Factors.Take(500), c.Factors);
        var combos = Enumerable.Range(0, a.Count).Select(i => string.Join(",", a.Factors.AsSpan(i * 5, 5).ToArray())).ToHashSet();
        Assert.Equal(FactorSprites.GridSize, combos.Count);
        // Antialiased: some pixels between black and white; every image has a shape.
        Assert.Contains(a.Pixels, p => p is > 0 and < 255);
        Assert.All(Enumerable.Range(0, 50), i => Assert.True(a.Pixels.AsSpan(i * 784, 784).ToArray().Count(p => p > 128) >= 10));
    }

    [Fact]
    public void EachFactor_ChangesThePictureAsNamed()
    {
        var left = Moments([0, 4, 0, 0, 3]);
        var right = Moments([0, 4, 0, 7, 3]);
        Assert.Equal(10.0, right.X - left.X, 0.3);
        Assert.Equal(left.Y, right.Y, 0.3);
        var top = Moments([2, 4, 0, 3, 0]);
        var bottom = Moments([2, 4, 0, 3, 7]);
        Assert.Equal(10.0, bottom.Y - top.Y, 0.3);
        // Scale 0.5 → 1: four times the area.
        var small = Moments([1, 0, 0, 3, 3]);
        var big = Moments([1, 4, 0, 3, 3]);
        Assert.InRange(big.Area / small.Area, 3.5, 4.5);
        // The ellipse turned by 90° (orientation 2 of 8) is its transpose.
        var flat = new byte[784];
        var turned = new byte[784];
        FactorSprites.Render([1, 4, 0, 3, 3], flat);
        FactorSprites.Render([1, 4, 2, 3, 3], turned);
        Assert.NotEqual(flat, turned);
        double transposedError = Enumerable.Range(0, 784).Average(i => Math.Abs(turned[i] - flat[(i % 28) * 28 + i / 28]));
        Assert.True(transposedError < 10, $"mean |difference| from the transpose {transposedError}");
        // Shapes differ in area at the same scale.
        Assert.NotEqual(Moments([0, 4, 0, 3, 3]).Area, Moments([2, 4, 0, 3, 3]).Area, 1);
        Assert.Throws<GlassboxException>(() => FactorSprites.Render([3, 0, 0, 0, 0], new byte[784]));
    }

    [Fact]
    public void Write_GivesAnMnistFolderLabelledByShape_WithAlignedFactors()
    {
        using var dir = new TempDirectory();
        var set = FactorSprites.Create(new FactorSpritesOptions(Seed: 1, Count: 300));
        FactorSprites.Write(set, dir.Path);
        var train = MnistFormat.LoadFolder(dir.Path, "train");
        var test = MnistFormat.LoadFolder(dir.Path, "test");
        Assert.Equal(300, train.Count);
        Assert.Equal(FactorSprites.TestCount, test.Count);
        Assert.Equal(["square", "ellipse", "heart"], train.ClassNames);
        var factors = FactorSprites.ReadFactors(dir.Path, train.Count);
        Assert.Equal(set.Factors, factors);
        Assert.Equal(set.Factor(0), train.Labels);
        Assert.Equal(set.Pixels.Select(p => p / 255f).ToArray(), train.Pixels.ToArray());
        Assert.Equal(FactorSprites.TestCount, FactorSprites.ReadFactors(dir.Path, test.Count, FactorSprites.TestFactorsFileName).Length / 5);
        Assert.Contains("make-factors", Assert.Throws<GlassboxException>(() => FactorSprites.ReadFactors(dir.Path, 299)).Message);
        NpyFile.Write(Path.Combine(dir.Path, FactorSprites.FactorsFileName), Enumerable.Repeat(9, 1500).ToArray(), [300, 5]);
        Assert.Contains("takes values", Assert.Throws<GlassboxException>(() => FactorSprites.ReadFactors(dir.Path, 300)).Message);
        Assert.Throws<GlassboxException>(() => FactorSprites.Create(new FactorSpritesOptions(Count: 0)));
    }
}

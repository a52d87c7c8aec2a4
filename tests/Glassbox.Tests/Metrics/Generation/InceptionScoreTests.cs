using Glassbox.Metrics.Generation;
using static Glassbox.Tests.Metrics.Generation.GenerationTestData;

namespace Glassbox.Tests.Metrics.Generation;

public class InceptionScoreTests
{
    [Fact]
    public void ConfidentPredictions_UniformOverKClasses_ScoreK()
    {
        const int k = 4;
        var p = new double[40, k];
        for (int i = 0; i < 40; i++) p[i, i % k] = 1;
        var r = new InceptionScore().Compute(p);
        Assert.Equal(10, r.Values.Length);
        Assert.All(r.Values, v => Assert.Equal(k, v, 1e-12));
        Assert.Equal(k, r.Mean, 1e-12);
        Assert.Equal(0, r.Std, 1e-12);
    }

    [Fact]
    public void IdenticalPredictions_ScoreOne()
    {
        var p = new double[20, 3];
        for (int i = 0; i < 20; i++) (p[i, 0], p[i, 1], p[i, 2]) = (0.2, 0.3, 0.5);
        Assert.Equal(1, new InceptionScore().Compute(p).Mean, 1e-12);
    }

    [Fact]
    public void TwoRows_OneSplit_MatchTheHandValue()
    {
        // p(y) = (0.75, 0.25); KL₁ = ln(1/0.75), KL₂ = 0.5 ln(0.5/0.75) + 0.5 ln(0.5/0.25).
        var r = new InceptionScore(new InceptionScoreOptions(Splits: 1)).Compute(Rows([1, 0], [0.5, 0.5]));
        double expected = Math.Exp((Math.Log(1 / 0.75) + 0.5 * Math.Log(0.5 / 0.75) + 0.5 * Math.Log(2)) / 2);
        Assert.Equal(expected, r.Mean, 1e-12);
        Assert.Equal(0, r.Std);
    }

    [Fact]
    public void Splits_GiveMeanAndSampleStd()
    {
        // Split 1: two confident classes → 2; split 2: identical rows → 1; std (N−1) = √0.5.
        var r = new InceptionScore(new InceptionScoreOptions(Splits: 2)).Compute(Rows([1, 0], [0, 1], [0.5, 0.5], [0.5, 0.5]));
        Assert.Equal([2, 1], r.Values.Select(v => Math.Round(v, 12)));
        Assert.Equal(1.5, r.Mean, 1e-12);
        Assert.Equal(Math.Sqrt(0.5), r.Std, 1e-12);
    }

    [Fact]
    public void BadInput_IsAClearError()
    {
        var inception = new InceptionScore();
        Assert.Contains("too few", Assert.Throws<GlassboxException>(() => inception.Compute(Rows([1, 0], [0, 1]))).Message);
        var logits = new InceptionScore(new InceptionScoreOptions(Splits: 1));
        Assert.Contains("softmax", Assert.Throws<GlassboxException>(() => logits.Compute(Rows([0.5, 0.7], [0.5, 0.5]))).Message);
        Assert.Contains("non-finite", Assert.Throws<GlassboxException>(() => logits.Compute(Rows([double.NaN, 1], [0.5, 0.5]))).Message);
        Assert.Throws<GlassboxException>(() => new InceptionScore(new InceptionScoreOptions(Splits: 0)));
    }
}

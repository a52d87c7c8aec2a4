using Glassbox.Attribution;
using Glassbox.Metrics.Faithfulness;
using static Glassbox.Tests.Metrics.MetricTestModels;

namespace Glassbox.Tests.Metrics.Faithfulness;

public class SensitivityNTests
{
    private static readonly float[] X = [1f, 0.25f, 0.75f, 0.5f];
    private static readonly float[] Exact = [4f, 0.5f, 0.75f, 0.25f];

    [Fact]
    public void SubsetSizes_AreLogSpacedFromOneToTheShare_AndDistinct()
    {
        Assert.Equal(new[] { 1, 2, 3 }, SensitivityN.SubsetSizes(4, 0.8, 10));
        var mnist = SensitivityN.SubsetSizes(784, 0.8, 10);
        Assert.Equal(10, mnist.Length);
        Assert.Equal(1, mnist[0]);
        Assert.Equal(627, mnist[^1]);
        Assert.True(mnist.Zip(mnist.Skip(1)).All(p => p.First < p.Second));
        Assert.Equal(new[] { 627 }, SensitivityN.SubsetSizes(784, 0.8, 1));
    }

    [Fact]
    public void SensitivityN_OfTheExactContributionsOfALinearModel_IsOneAtEverySize()
    {
        using var model = Linear();
        using var x = Images(X);
        var r = new SensitivityN().Evaluate(model, x, Explain(1, 1, [0], [Exact], OutputSpace.Logits));
        Assert.Equal("sensitivity-n", r.Metric);
        Assert.Equal(1, r.Scores[0], 1e-6);
        var curves = Assert.IsType<SensitivityNCurves>(r.Detail);
        Assert.Equal(new[] { 1, 2, 3 }, curves.N);
        Assert.All(curves.Correlations[0], c => Assert.Equal(1, c, 1e-6));
        var negated = new SensitivityN().Evaluate(model, x, Explain(1, 1, [0], [Exact.Select(v => -v).ToArray()], OutputSpace.Logits));
        Assert.Equal(-1, negated.Scores[0], 1e-6);
    }

    [Fact]
    public void SensitivityN_OfAMapThatIgnoresTheInput_IsBelowOne()
    {
        // The gradient W alone (without × x) overrates pixel 1 (x = 0.25) against pixel 2 (x = 0.75).
        using var model = Linear();
        using var x = Images(X);
        var r = new SensitivityN().Evaluate(model, x, Explain(1, 1, [0], [W], OutputSpace.Logits));
        Assert.InRange(r.Scores[0], 0, 0.999);
        Assert.All(Assert.IsType<SensitivityNCurves>(r.Detail).Correlations[0], c => Assert.True(c < 0.999, $"{c}"));
    }
}

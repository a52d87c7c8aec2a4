using Glassbox.Attribution;
using Glassbox.Attribution.Gradient;
using TorchSharp;
using static Glassbox.Tests.Attribution.Gradient.GradientTestModels;

namespace Glassbox.Tests.Attribution.Gradient;

public class ExpectedGradientsTests
{
    [Fact]
    public void GradientShap_OnLinearModel_WithOneBaseline_IsExact()
    {
        using var model = Linear(21, 1, 3, 3, 3, out var w);
        var x = torch.rand(3, 1, 3, 3);
        var b = torch.rand(1, 1, 3, 3);
        var e = new GradientShap(model, Baseline.FromImages(b), new GradientShapOptions(NSamples: 4, InternalBatchSize: 5))
            .Attribute(x, TargetSelection.AllClasses);
        Close(Times((x - b).reshape(3, 9), w), e.Values, 1e-5);
        Assert.True(e.MaxAdditivityError < 1e-4);
        Assert.False(e.AdditivityGuaranteed);
    }

    [Fact]
    public void GradientShap_OnLinearModel_ConvergesToInputMinusMeanBaseline()
    {
        using var model = Linear(22, 1, 3, 3, 2, out var w);
        var x = torch.rand(2, 1, 3, 3);
        var b = torch.rand(4, 1, 3, 3);
        var e = new GradientShap(model, Baseline.FromImages(b), new GradientShapOptions(NSamples: 4000, InternalBatchSize: 1000, Seed: 3))
            .Attribute(x, TargetSelection.AllClasses);
        Close(Times((x - b.mean([0], keepdim: true)).reshape(2, 9), w), e.Values, 0.02);
        // Base values are the mean output of the drawn baselines, so the delta is exact on a linear model.
        Assert.True(e.MaxAdditivityError < 1e-3, $"delta {e.MaxAdditivityError}");
    }

    [Fact]
    public void GradientShap_WithNoise_OnLinearModel_AveragesToTheSameMap()
    {
        using var model = Linear(23, 1, 3, 3, 2, out var w);
        var x = torch.rand(1, 1, 3, 3);
        var b = torch.zeros(1, 1, 3, 3);
        var e = new GradientShap(model, Baseline.FromImages(b), new GradientShapOptions(NSamples: 20000, Stdevs: 0.1, InternalBatchSize: 5000, Seed: 1))
            .Attribute(x, TargetSelection.AllClasses);
        Close(Times(x.reshape(1, 9), w), e.Values, 0.01);
    }

    [Fact]
    public void GradientShap_IsDeterministicUnderASeed_AndIndependentOfBatchSize()
    {
        using var model = Relu(24);
        var x = torch.rand(3, 1, 4, 4);
        var bl = Baseline.FromImages(torch.rand(5, 1, 4, 4));
        float[] Run(int seed, int batch) => new GradientShap(model, bl, new GradientShapOptions(NSamples: 7, Stdevs: 0.2, InternalBatchSize: batch, Seed: seed))
            .Attribute(x, TargetSelection.AllClasses).Values;
        var a = Run(5, 4);
        Assert.Equal(a, Run(5, 4));
        Close(a, Run(5, 64), 1e-6);
        Assert.NotEqual(a, Run(6, 4));
    }

    [Fact]
    public void GradientExplainer_OnLinearModel_ConvergesToInputMinusMeanBackground()
    {
        using var model = Linear(25, 1, 3, 3, 3, out var w);
        var x = torch.rand(2, 1, 3, 3);
        var bg = torch.rand(6, 1, 3, 3);
        var ge = new GradientExplainer(model, bg, new GradientExplainerOptions(NSamples: 4000, InternalBatchSize: 1000, Seed: 2));
        var e = ge.Attribute(x, TargetSelection.Classes(1, 2));
        Close(Times((x - bg.mean([0], keepdim: true)).reshape(2, 9), w.narrow(0, 1, 2)), e.Values, 0.03);
        var expected = model.Forward(bg).detach().mean([0]).data<float>().ToArray();
        for (int c = 0; c < 3; c++) Assert.Equal(expected[c], ge.ExpectedValue[c], 1e-5);
        Assert.Equal(expected[1], e.BaseValues[0], 1e-5);
        Assert.Equal(expected[2], e.BaseValues[1], 1e-5);
        Assert.True(e.MaxAdditivityError < 0.05, $"delta {e.MaxAdditivityError}");
    }

    [Fact]
    public void GradientExplainer_WithOneBackgroundRow_IsExactOnLinearModel_AndSeeded()
    {
        using var model = Linear(26, 2, 2, 2, 2, out var w);
        var x = torch.rand(2, 2, 2, 2);
        var bg = torch.rand(1, 2, 2, 2);
        var e = new GradientExplainer(model, bg, new GradientExplainerOptions(NSamples: 10)).Attribute(x, TargetSelection.PerInput(1, 0));
        var expected = (x - bg).reshape(2, 8) * w.index_select(0, torch.tensor(new long[] { 1, 0 }));
        Close(expected.data<float>().ToArray(), e.Values, 1e-5);

        using var relu = Relu(27);
        var xs = torch.rand(2, 1, 4, 4);
        var back = torch.rand(8, 1, 4, 4);
        float[] Run(int seed) => new GradientExplainer(relu, back, new GradientExplainerOptions(NSamples: 30, LocalSmoothing: 0.1, InternalBatchSize: 11, Seed: seed))
            .Attribute(xs, TargetSelection.AllClasses).Values;
        Assert.Equal(Run(1), Run(1));
        Assert.NotEqual(Run(1), Run(2));
    }
}

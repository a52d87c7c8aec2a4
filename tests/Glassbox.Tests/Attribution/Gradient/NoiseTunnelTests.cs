using Glassbox.Attribution;
using Glassbox.Attribution.Gradient;
using Glassbox.Attribution.Catalog;
using Glassbox.Tests.Attribution.Catalog;
using TorchSharp;
using static Glassbox.Tests.Attribution.Gradient.GradientTestModels;

namespace Glassbox.Tests.Attribution.Gradient;

public class NoiseTunnelTests
{
    [Fact]
    public void SmoothGrad_WithZeroNoise_EqualsTheInnerMethod()
    {
        using var model = Relu(31);
        var x = torch.rand(3, 1, 4, 4);
        var ig = new IntegratedGradients(model, new IntegratedGradientsOptions(10));
        var plain = ig.Attribute(x, TargetSelection.PerInput(2, 0, 1));
        var nt = new NoiseTunnel(ig, new NoiseTunnelOptions(Samples: 4, Stdevs: 0, SamplesBatchSize: 5)).Attribute(x, TargetSelection.PerInput(2, 0, 1));
        Assert.Equal(plain.Shape, nt.Shape);
        Assert.Equal(plain.Targets, nt.Targets);
        Close(plain.Values, nt.Values, 1e-6);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(plain.Outputs[i], nt.Outputs[i], 1e-6);
            Assert.Equal(plain.BaseValues[i], nt.BaseValues[i], 1e-6);
            Assert.Equal(plain.AdditivityErrors![i], nt.AdditivityErrors![i], 1e-5);
        }
    }

    [Fact]
    public void VarGrad_OfSignedSaliency_OnLinearModel_IsZero_AndSmoothGradSquaredIsWeightSquared()
    {
        using var model = Linear(32, 1, 3, 3, 3, out var w);
        var x = torch.rand(2, 1, 3, 3);
        var sal = new Saliency(model, new SaliencyOptions(Abs: false));
        var vg = new NoiseTunnel(sal, new NoiseTunnelOptions(NoiseTunnelType.VarGrad, Samples: 6)).Attribute(x, TargetSelection.AllClasses);
        Assert.Equal(new[] { 2, 3, 1, 3, 3 }, vg.Shape);
        Assert.All(vg.Values, v => Assert.True(Math.Abs(v) < 1e-6));
        Assert.Null(vg.AdditivityErrors);
        var sq = new NoiseTunnel(sal, new NoiseTunnelOptions(NoiseTunnelType.SmoothGradSquared, Samples: 3)).Attribute(x, TargetSelection.AllClasses);
        Close(Times(torch.ones(2, 9), w * w), sq.Values, 1e-6);
    }

    [Fact]
    public void SmoothGrad_IsSeeded_AndIndependentOfTheCopiesPerCall()
    {
        using var model = Relu(33);
        var x = torch.rand(3, 1, 4, 4);
        var sal = new Saliency(model);
        float[] Run(int seed, int? perCall) => new NoiseTunnel(sal, new NoiseTunnelOptions(Samples: 5, Stdevs: 0.3, SamplesBatchSize: perCall, Seed: seed))
            .Attribute(x, TargetSelection.AllClasses).Values;
        var a = Run(1, 4);
        Assert.Equal(a, Run(1, 4));
        Close(a, Run(1, null), 1e-6);
        Assert.NotEqual(a, Run(2, 4));
        // With noise the smoothed map differs from the plain one.
        Assert.NotEqual(sal.Attribute(x, TargetSelection.AllClasses).Values, a);
    }

    [Fact]
    public void SmoothGrad_OfIntegratedGradients_OnLinearModel_KeepsCompleteness()
    {
        using var model = Linear(34, 1, 3, 3, 2, out _);
        var x = torch.rand(2, 1, 3, 3);
        var nt = new NoiseTunnel(new IntegratedGradients(model), new NoiseTunnelOptions(Samples: 4, Stdevs: 0.5, Seed: 9));
        var e = nt.Attribute(x, TargetSelection.Classes(1));
        Assert.True(e.MaxAdditivityError < 1e-4, $"delta {e.MaxAdditivityError}");
        Assert.StartsWith("NoiseTunnel[smoothgrad]", e.Method);
    }

    [Fact]
    public void WithNoiseTunnel_ParsesCaptumNames_AndRefusesUnknownOnes()
    {
        using var model = Relu(35);
        var sal = new Saliency(model);
        var entry = MethodCatalog.Default.Get("saliency");
        Assert.IsType<Saliency>(Catalogued.Create(entry, model));
        var nt = Assert.IsType<NoiseTunnel>(Catalogued.Create(entry, model, new Dictionary<string, string> { ["nt-type"] = "smoothgrad_sq", ["nt-samples"] = "3", ["nt-stdevs"] = "0.2", ["seed"] = "4" }));
        Assert.Equal(new NoiseTunnelOptions(NoiseTunnelType.SmoothGradSquared, 3, 0.2, null, 4), nt.Options);
        Assert.Equal(NoiseTunnelType.VarGrad, Catalogued.Bind(entry, model, new Dictionary<string, string> { ["nt-type"] = "vargrad" }).NoiseTunnel!.Type);
        Assert.Throws<GlassboxException>(() => Catalogued.Create(entry, model, new Dictionary<string, string> { ["nt-type"] = "smooth" }));
        Assert.Throws<GlassboxException>(() => new NoiseTunnel(sal, new NoiseTunnelOptions(Samples: 0)));
        Assert.Throws<GlassboxException>(() => new NoiseTunnel(sal, new NoiseTunnelOptions(Stdevs: double.NaN)));
        Assert.Throws<GlassboxException>(() => new NoiseTunnel(sal).Attribute(torch.full(1, 1, 4, 4, float.NaN), TargetSelection.AllClasses));
    }
}

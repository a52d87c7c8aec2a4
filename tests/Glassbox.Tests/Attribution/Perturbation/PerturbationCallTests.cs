using Glassbox.Attribution;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Attribution.Perturbation;
using Glassbox.Attribution.Shapley;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Attribution.Perturbation;

public class PerturbationCallTests
{
    private static IAttributionMethod[] Methods(IImageModel model, Baseline? baseline) =>
    [
        new Occlusion(model, new(SlidingWindowShapes: [2, 2], Baselines: baseline)),
        new FeatureAblation(model, new(MaskSource.Grid(2), baseline)),
        new ShapleyValueSampling(model, new(MaskSource.Grid(2), NSamples: 2, Baselines: baseline)),
        new KernelShap(model, new(MaskSource.Grid(2), NSamples: 8, Baselines: baseline)),
        new Lime(model, new(MaskSource.Grid(2), NSamples: 4, Baselines: baseline)),
    ];

    [Fact]
    public void EveryPerturbationMethod_RejectsNaNInputsAndBaselines_WithTheSharedMessages()
    {
        using var model = new FunctionModel(TestModels.Info(1, 4, 4, 2), x => x.reshape(x.shape[0], 2, 8).sum(2));
        var nan = torch.rand(2, 1, 4, 4);
        nan[1, 0, 2, 3] = torch.tensor(float.NaN);
        var bad = Baseline.Constant(float.PositiveInfinity);
        foreach (var method in Methods(model, null).Append(new PartitionShap(model, new(MaxEvals: 10, Masker: "0"))))
        {
            var e = Assert.Throws<GlassboxException>(() => method.Attribute(nan, TargetSelection.AllClasses));
            Assert.Equal("The input images contain NaN or infinite values; clean them before explaining.", e.Message);
            var empty = Assert.Throws<GlassboxException>(() => method.Attribute(torch.zeros(0, 1, 4, 4), TargetSelection.AllClasses));
            Assert.Contains("No images", empty.Message);
        }
        foreach (var method in Methods(model, bad))
        {
            var e = Assert.Throws<GlassboxException>(() => method.Attribute(torch.rand(2, 1, 4, 4), TargetSelection.AllClasses));
            Assert.Equal("The baseline images contain NaN or infinite values; clean them before explaining.", e.Message);
        }
    }

    [Fact]
    public void PerturbationCall_ChecksMaskShape_AndGivesFxOnce()
    {
        using var model = new FunctionModel(TestModels.Info(1, 4, 4, 2), x => x.reshape(x.shape[0], 2, 8).sum(2));
        using var scope = torch.NewDisposeScope();
        var x = torch.ones(3, 1, 4, 4);
        var call = PerturbationCall.Start(model, "test", new object(), x, TargetSelection.Classes(1), OutputSpace.Logits, 4);
        Assert.Equal((3, 1, 1, 4, 4, 16), (call.N, call.K, call.C, call.H, call.W, call.D));
        Assert.Same(call.F0, call.F0);
        Assert.Equal(new double[] { 8, 8, 8, 8, 8, 8 }, call.F0);
        var (masks, members) = call.Features(MaskSource.Grid(2));
        Assert.Equal(3, masks.Length);
        Assert.Same(masks[0], masks[2]);
        Assert.Equal(new[] { 0, 1, 4, 5 }, members[0][0]);
        var wrong = MaskSource.Shared(new FeatureMask(new int[9], 1, 3, 3));
        Assert.Contains("is 1×3×3 but the input", Assert.Throws<GlassboxException>(() => call.Features(wrong)).Message);
    }
}

using Glassbox.Attribution;
using Glassbox.Attribution.Cam;
using Glassbox.Attribution.Propagation;
using Glassbox.Models;
using Glassbox.Tests.Attribution.Gradient;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Attribution.Cam;

public class CamTests
{
    // 1×8×8 → Conv(1→3, 3×3) → ReLU → Flatten → Linear(3·6·6 → 4).
    private static ImageClassifier Cnn(int seed)
    {
        torch.manual_seed(seed);
        return new ImageClassifier(GradientTestModels.Info(1, 8, 8, 4), nn.Sequential(nn.Conv2d(1, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(108, 4)));
    }

    [Fact]
    public void GradCam_EqualsTheFormulaByAutograd_ForBothInterpolations()
    {
        using var model = Cnn(1);
        var x = torch.rand(2, 1, 8, 8);
        var conv = (nn.Module<Tensor, Tensor>)model.Layers![0];
        // By hand: A = conv(x); α_k = mean ∂y_c/∂A_k; map = Σ α_k A_k; upsample.
        var a = conv.forward(x).detach().requires_grad_(true);
        var y = model.Layers[3].forward(model.Layers[2].forward(model.Layers[1].forward(a)));
        var g = torch.autograd.grad([y.select(1, 2).sum()], [a])[0];
        var map = (g.mean([2, 3], keepdim: true) * a.detach()).sum(1, keepdim: true);
        foreach (var mode in new[] { CamInterpolation.Nearest, CamInterpolation.Bilinear })
        {
            var expected = nn.functional.interpolate(map, [8, 8], mode: mode == CamInterpolation.Nearest ? InterpolationMode.Nearest : InterpolationMode.Bilinear,
                align_corners: mode == CamInterpolation.Nearest ? null : false);
            var e = new GradCam(model, new GradCamOptions(Interpolation: mode)).Attribute(x, TargetSelection.Classes(2));
            GradientTestModels.Close(expected.contiguous().data<float>().ToArray(), e.Values, 1e-5);
        }
        var relu = new GradCam(model, new GradCamOptions(ReluAttributions: true)).Attribute(x, TargetSelection.Classes(2));
        Assert.All(relu.Values, v => Assert.True(v >= 0));
        Assert.Contains(new GradCam(model).Attribute(x, TargetSelection.Classes(2)).Values, v => v < 0);
    }

    [Fact]
    public void GradCam_WithGlobalAveragePoolHead_IsTheClassicCam()
    {
        // logits = W · GAP(A): ∂y_c/∂A_k = W_ck/(h·w), so Grad-CAM = Σ_k W_ck A_k / (h·w) — CAM (Zhou et al. 2016) up to 1/(h·w).
        torch.manual_seed(2);
        var conv = nn.Conv2d(1, 3, 3);
        var lin = nn.Linear(3, 4);
        using var model = new ImageClassifier(GradientTestModels.Info(1, 8, 8, 4), nn.Sequential(conv, nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), lin));
        var x = torch.rand(1, 1, 8, 8);
        var a = nn.functional.relu(conv.forward(x)).detach();
        var w = lin.weight!.detach();
        var cam = (w[1].reshape(1, 3, 1, 1) * a).sum(1, keepdim: true) / 36.0;
        var e = new GradCam(model, new GradCamOptions(Layer: "1")).Attribute(x, TargetSelection.Classes(1));
        var expected = nn.functional.interpolate(cam, [8, 8], mode: InterpolationMode.Nearest);
        GradientTestModels.Close(expected.contiguous().data<float>().ToArray(), e.Values, 1e-6);
    }

    [Fact]
    public void NearestUpsampling_RepeatsBlocks()
    {
        var map = torch.tensor(new float[] { 1, 2, 3, 4 }, [1, 1, 2, 2]);
        var up = CamLayers.Upsample(map, 4, 4, CamInterpolation.Nearest).data<float>().ToArray();
        Assert.Equal([1f, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], up);
    }

    [Fact]
    public void LayerSelection_ByIndexAndLastConv_AndClearErrors()
    {
        using var model = Cnn(3);
        Assert.Equal(0, new CamLayers(model, "last-conv", "Grad-CAM").Index);
        Assert.Equal(1, new CamLayers(model, "1", "Grad-CAM").Index);
        var bad = Assert.Throws<GlassboxException>(() => new CamLayers(model, "7", "Grad-CAM"));
        Assert.Contains("0=Conv2d", bad.Message);
        Assert.Contains("3=Linear", bad.Message);
        Assert.Contains("feature map", Assert.Throws<GlassboxException>(() => new CamLayers(model, "2", "Grad-CAM")).Message);
        Assert.Contains("nearest or bilinear", Assert.Throws<GlassboxException>(() => CamLayers.ParseInterpolation("cubic")).Message);
    }

    [Fact]
    public void GradCamPlusPlus_MatchesHandComputedWeights()
    {
        using var model = Cnn(4);
        var x = torch.rand(1, 1, 8, 8);
        var conv = (nn.Module<Tensor, Tensor>)model.Layers![0];
        var a = conv.forward(x).detach().requires_grad_(true);
        var y = model.Layers[3].forward(model.Layers[2].forward(model.Layers[1].forward(a)));
        var g = torch.autograd.grad([y.select(1, 0).sum()], [a])[0].to_type(ScalarType.Float64);
        var ad = a.detach().to_type(ScalarType.Float64);
        var gv = g.data<double>().ToArray();
        var av = ad.data<double>().ToArray();
        var map = new double[36];
        for (int k = 0; k < 3; k++)
        {
            double sumA = 0, wk = 0;
            for (int p = 0; p < 36; p++) sumA += av[k * 36 + p];
            for (int p = 0; p < 36; p++)
            {
                double gi = gv[k * 36 + p];
                double alpha = gi == 0 ? 0 : gi * gi / (2 * gi * gi + sumA * gi * gi * gi + 1e-7);
                wk += alpha * Math.Max(gi, 0);
            }
            for (int p = 0; p < 36; p++) map[p] += wk * av[k * 36 + p];
        }
        var expected = nn.functional.interpolate(torch.tensor(map.Select(v => (float)Math.Max(v, 0)).ToArray(), [1, 1, 6, 6]), [8, 8], mode: InterpolationMode.Nearest);
        var e = new GradCamPlusPlus(model).Attribute(x, TargetSelection.Classes(0));
        GradientTestModels.Close(expected.contiguous().data<float>().ToArray(), e.Values, 1e-5);
    }

    [Fact]
    public void ScoreCam_WeightsFormASoftmax_AndDoNotDependOnBatchSize()
    {
        using var model = Cnn(5);
        var x = torch.rand(2, 1, 8, 8);
        var w = new ScoreCam(model).ChannelWeights(x, [1, 3]);
        Assert.Equal([2L, 3L], w.shape);
        foreach (var s in w.sum(1).data<float>().ToArray()) Assert.Equal(1.0, s, 1e-5);
        var a = new ScoreCam(model, new ScoreCamOptions(InternalBatchSize: 1)).Attribute(x, TargetSelection.AllClasses);
        var b = new ScoreCam(model, new ScoreCamOptions(InternalBatchSize: 64)).Attribute(x, TargetSelection.AllClasses);
        Assert.Equal([2, 4, 1, 8, 8], a.Shape);
        GradientTestModels.Close(a.Values, b.Values, 1e-6);
        Assert.All(a.Values, v => Assert.True(v >= 0));
    }

    [Fact]
    public void GuidedGradCam_IsGuidedBackpropTimesRectifiedUpsampledGradCam()
    {
        using var model = Cnn(6);
        var x = torch.rand(2, 1, 8, 8);
        var cam = new GradCam(model, new GradCamOptions(ReluAttributions: true)).Attribute(x, TargetSelection.Classes(1)).Values;
        var guided = new GuidedBackprop(model).Attribute(x, TargetSelection.Classes(1)).Values;
        var e = new GuidedGradCam(model).Attribute(x, TargetSelection.Classes(1));
        GradientTestModels.Close(cam.Zip(guided, (c, g) => c * g).ToArray(), e.Values, 1e-6);
    }

    [Fact]
    public void CamMethods_RefuseOpaqueModels_AndNaN()
    {
        using var model = Cnn(7);
        using var opaque = new BlackBoxModel(Cnn(7));
        Assert.Contains("gradients", Assert.Throws<GlassboxException>(() => new GradCam(opaque)).Message);
        var nan = torch.full(1, 1, 8, 8, float.NaN);
        Assert.Contains("NaN", Assert.Throws<GlassboxException>(() => new GradCam(model).Attribute(nan, TargetSelection.AllClasses)).Message);
        Assert.Contains("NaN", Assert.Throws<GlassboxException>(() => new ScoreCam(model).Attribute(nan, TargetSelection.AllClasses)).Message);
    }
}

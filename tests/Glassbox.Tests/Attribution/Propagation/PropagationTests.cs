using Glassbox.Attribution;
using Glassbox.Attribution.Gradient;
using Glassbox.Attribution.Propagation;
using Glassbox.Models;
using Glassbox.Tests.Attribution.Gradient;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Attribution.Propagation;

public class PropagationTests
{
    private static ModelInfo Info(int c, int h, int w, int classes) => GradientTestModels.Info(c, h, w, classes);

    private static ImageClassifier Cnn(int seed, params nn.Module<Tensor, Tensor>[] middle)
    {
        torch.manual_seed(seed);
        var layers = new List<nn.Module<Tensor, Tensor>> { nn.Conv2d(1, 3, 3, padding: 1) };
        layers.AddRange(middle);
        layers.Add(nn.Flatten());
        using var probe = torch.zeros(1, 1, 6, 6);
        var seq0 = nn.Sequential(layers.ToArray());
        long features;
        using (torch.no_grad()) features = seq0.forward(probe).shape[1];
        layers.Add(nn.Linear(features, 4));
        return new ImageClassifier(Info(1, 6, 6, 4), nn.Sequential(layers.ToArray()));
    }

    public static TheoryData<string> Nonlinearities => new() { "relu", "leakyrelu", "elu", "sigmoid", "tanh", "softplus", "maxpool", "avgpool", "batchnorm", "dropout", "softmax" };

    private static nn.Module<Tensor, Tensor>[] Middle(string kind)
    {
        switch (kind)
        {
            case "relu": return [nn.ReLU()];
            case "leakyrelu": return [nn.LeakyReLU(0.2)];
            case "elu": return [nn.ELU()];
            case "sigmoid": return [nn.Sigmoid()];
            case "tanh": return [nn.Tanh()];
            case "softplus": return [nn.Softplus()];
            case "maxpool": return [nn.ReLU(), nn.MaxPool2d(2)];
            case "avgpool": return [nn.ReLU(), nn.AvgPool2d(2)];
            case "dropout": return [nn.ReLU(), nn.Dropout(0.5)];
            case "batchnorm":
                var bn = nn.BatchNorm2d(3);
                using (torch.no_grad())
                {
                    bn.running_mean!.copy_(torch.tensor(new[] { 0.1f, -0.2f, 0.3f }));
                    bn.running_var!.copy_(torch.tensor(new[] { 0.5f, 1.5f, 2f }));
                    bn.weight!.copy_(torch.tensor(new[] { 1.2f, 0.7f, -0.9f }));
                }
                return [bn, nn.Tanh()];
            default: return [nn.ReLU()];
        }
    }

    [Theory]
    [MemberData(nameof(Nonlinearities))]
    public void DeepLift_ConservesForEverySupportedLayer(string kind)
    {
        using var model = kind == "softmax" ? WithSoftmax() : Cnn(11, Middle(kind));
        torch.manual_seed(5);
        var x = torch.rand(3, 1, 6, 6);
        var b = torch.rand(3, 1, 6, 6) * 0.5;
        var e = new DeepLift(model, new DeepLiftOptions(Baseline.FromImages(b))).Attribute(x, TargetSelection.AllClasses);
        Assert.Empty(e.AdditivityFailures());
        Assert.True(e.MaxAdditivityError < 1e-4, $"{kind}: {e.MaxAdditivityError:E2}");
        var shap = new DeepLiftShap(model, torch.rand(7, 1, 6, 6)).Attribute(x, TargetSelection.AllClasses);
        Assert.True(shap.MaxAdditivityError < 1e-4, $"{kind} (DeepLiftShap): {shap.MaxAdditivityError:E2}");
    }

    private static ImageClassifier WithSoftmax()
    {
        torch.manual_seed(4);
        return new ImageClassifier(Info(1, 6, 6, 4), nn.Sequential(nn.Flatten(), nn.Linear(36, 8), nn.ReLU(), nn.Linear(8, 4), nn.Softmax(1)));
    }

    [Fact]
    public void DeepLift_OnLinearModel_IsWeightsTimesInputMinusBaseline_ForLogitsAndDeltaForProbabilities()
    {
        using var model = GradientTestModels.Linear(3, 1, 4, 4, 3, out var w);
        var x = torch.rand(4, 1, 4, 4);
        var r = torch.rand(4, 1, 4, 4);
        var e = new DeepLift(model, new DeepLiftOptions(Baseline.FromImages(r))).Attribute(x, TargetSelection.AllClasses);
        GradientTestModels.Close(GradientTestModels.Times((x - r).reshape(4, 16), w), e.Values, 1e-5);
        var p = new DeepLift(model, new DeepLiftOptions(Baseline.FromImages(r), OutputSpace.Probabilities)).Attribute(x, TargetSelection.AllClasses);
        Assert.True(p.MaxAdditivityError < 1e-5, $"{p.MaxAdditivityError:E2}");
    }

    [Fact]
    public void DeepLiftShap_OnMaxPoolCnnWith100Baselines_Conserves_WhereCaptumDoesNot()
    {
        torch.manual_seed(21);
        using var model = new ImageClassifier(Info(1, 12, 12, 5), nn.Sequential(
            nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 6, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(6, 5)));
        var bg = torch.rand(100, 1, 12, 12);
        var x = torch.rand(4, 1, 12, 12);
        var e = new DeepLiftShap(model, bg).Attribute(x, TargetSelection.AllClasses);
        Assert.Empty(e.AdditivityFailures());
        Assert.True(e.MaxAdditivityError < 1e-4, $"{e.MaxAdditivityError:E2}");
        // The same definition as DeepSHAP: equal values apart from the fallback threshold.
        var s = new DeepShap(model, bg).Explain(x, TargetSelection.AllClasses);
        GradientTestModels.Close(s.Values, e.Values, 1e-5);
    }

    [Fact]
    public void DeepLiftShap_RefusesASingleBaseline()
        => Assert.Contains("at least 2", Assert.Throws<GlassboxException>(() => new DeepLiftShap(GradientTestModels.Relu(1), torch.rand(1, 1, 4, 4))).Message);

    [Fact]
    public void UnsupportedModule_DuplicatedModule_AndOpaqueModel_AreRefused()
    {
        using var gelu = new ImageClassifier(Info(1, 4, 4, 3), nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.GELU(), nn.Linear(8, 3)));
        Assert.Contains("GELU", Assert.Throws<GlassboxException>(() => new DeepLift(gelu)).Message);
        Assert.Contains("GELU", Assert.Throws<GlassboxException>(() => new Lrp(gelu)).Message);
        var relu = nn.ReLU();
        using var twice = new ImageClassifier(Info(1, 4, 4, 3), nn.Sequential(("0", nn.Flatten()), ("1", nn.Linear(16, 8)), ("2", relu), ("3", nn.Linear(8, 8)), ("4", relu), ("5", nn.Linear(8, 3))));
        Assert.Contains("used twice", Assert.Throws<GlassboxException>(() => new DeepLift(twice)).Message);
        Assert.Contains("used twice", Assert.Throws<GlassboxException>(() => new GuidedBackprop(twice)).Message);
        using var opaque = new OpaqueModel(GradientTestModels.Relu(2));
        Assert.Contains("not visible", Assert.Throws<GlassboxException>(() => new DeepLift(opaque)).Message);
        Assert.Contains("not visible", Assert.Throws<GlassboxException>(() => new Lrp(opaque)).Message);
        Assert.Contains("not visible", Assert.Throws<GlassboxException>(() => new Deconvolution(opaque)).Message);
        Assert.Contains("NaN", Assert.Throws<GlassboxException>(() => new DeepLift(GradientTestModels.Relu(2)).Attribute(torch.full(1, 1, 4, 4, float.NaN), TargetSelection.AllClasses)).Message);
    }

    [Fact]
    public void Lrp_Epsilon_OnLinearModel_IsInputTimesGradient_AndConservesWithoutBias()
    {
        torch.manual_seed(8);
        var lin = nn.Linear(16, 3, hasBias: false);
        using var model = new ImageClassifier(Info(1, 4, 4, 3), nn.Sequential(nn.Flatten(), lin));
        var x = torch.rand(3, 1, 4, 4);
        var e = new Lrp(model).Attribute(x, TargetSelection.AllClasses);
        GradientTestModels.Close(GradientTestModels.Times(x.reshape(3, 16), lin.weight!.detach()), e.Values, 1e-5);
        // A bias-free ReLU network: LRP-ε with tiny ε conserves relevance.
        torch.manual_seed(9);
        using var net = new ImageClassifier(Info(1, 4, 4, 3), nn.Sequential(nn.Flatten(), nn.Linear(16, 10, hasBias: false), nn.ReLU(), nn.Linear(10, 3, hasBias: false)));
        var r = new Lrp(net).Attribute(x, TargetSelection.AllClasses);
        Assert.True(r.MaxAdditivityError < 1e-4, $"{r.MaxAdditivityError:E2}");
        Assert.False(r.AdditivityGuaranteed);
    }

    [Fact]
    public void Lrp_ZPlus_OnOneLayer_MatchesHandDerivedValues()
    {
        // x = (1, 2), w for class 0 = (1, −1), class 1 = (2, 1), no bias. z⁺ rule: only w⁺·x⁺ contributes.
        var lin = nn.Linear(2, 2, hasBias: false);
        using (torch.no_grad()) lin.weight!.copy_(torch.tensor(new float[] { 1, -1, 2, 1 }, [2, 2]));
        using var model = new ImageClassifier(Info(1, 1, 2, 2), nn.Sequential(nn.Flatten(), lin));
        var x = torch.tensor(new float[] { 1, 2 }, [1, 1, 1, 2]);
        var e = new Lrp(model, new LrpOptions("z-plus")).Attribute(x, TargetSelection.AllClasses);
        // Class 0: f = −1, z⁺ = 1·1 = 1 → R = (−1·1/1, 0) = (−1, 0). Class 1: f = 4, z⁺ = 2 + 2 = 4 → R = (2, 2).
        GradientTestModels.Close([-1f, 0f, 2f, 2f], e.Values, 1e-6);
        // α1β0 with no bias is the same rule.
        var a = new Lrp(model, new LrpOptions("alpha1-beta0")).Attribute(x, TargetSelection.AllClasses);
        GradientTestModels.Close(e.Values, a.Values, 1e-6);
        Assert.Contains("Unknown LRP composite", Assert.Throws<GlassboxException>(() => new Lrp(model, new LrpOptions("flat"))).Message);
    }

    [Fact]
    public void GuidedBackprop_AndDeconvolution_MatchHandDerivedValues()
    {
        // f = w2 · relu(W1 x): W1 = [[1, −1], [2, 1]], w2 = (1, −1), x = (1, 2): h = (−1, 4) → relu mask (0, 1).
        var l1 = nn.Linear(2, 2, hasBias: false);
        var l2 = nn.Linear(2, 1 + 1, hasBias: false);
        using (torch.no_grad())
        {
            l1.weight!.copy_(torch.tensor(new float[] { 1, -1, 2, 1 }, [2, 2]));
            l2.weight!.copy_(torch.tensor(new float[] { 1, -1, 0, 0 }, [2, 2]));
        }
        using var model = new ImageClassifier(Info(1, 1, 2, 2), nn.Sequential(nn.Flatten(), l1, nn.ReLU(), l2));
        var x = torch.tensor(new float[] { 1, 2 }, [1, 1, 1, 2]);
        // Guided: grad at hidden = (1, −1) · mask (0, 1) = (0, −1) → clamp ≥ 0 → (0, 0) → input (0, 0).
        var g = new GuidedBackprop(model).Attribute(x, TargetSelection.Classes(0));
        GradientTestModels.Close([0f, 0f], g.Values, 1e-6);
        // Deconvolution: relu((1, −1)) = (1, 0) → W1ᵀ (1, 0) = (1, −1).
        var d = new Deconvolution(model).Attribute(x, TargetSelection.Classes(0));
        GradientTestModels.Close([1f, -1f], d.Values, 1e-6);
        // On a network without ReLU both equal the plain gradient (saliency, signed).
        using var smooth = GradientTestModels.Tanh(3);
        var xs = torch.rand(2, 1, 4, 4);
        var sal = new Saliency(smooth, new SaliencyOptions(Abs: false)).Attribute(xs, TargetSelection.AllClasses);
        GradientTestModels.Close(sal.Values, new GuidedBackprop(smooth).Attribute(xs, TargetSelection.AllClasses).Values, 1e-6);
    }

    [Fact]
    public void DeepLift_IsDeterministic_AndHasTheRightShape()
    {
        using var model = Cnn(2, nn.ReLU(), nn.MaxPool2d(2));
        var x = torch.rand(5, 1, 6, 6);
        var a = new DeepLift(model, new DeepLiftOptions(InternalBatchSize: 2)).Attribute(x, TargetSelection.PerInput(0, 1, 2, 3, 0));
        var b = new DeepLift(model).Attribute(x, TargetSelection.PerInput(0, 1, 2, 3, 0));
        Assert.Equal([5, 1, 1, 6, 6], a.Shape);
        GradientTestModels.Close(a.Values, b.Values, 1e-6);
    }

    private sealed class OpaqueModel(ImageClassifier inner) : IImageModel
    {
        public ModelInfo Info => inner.Info;
        public Device Device => inner.Device;
        public ModelKind Kind => ModelKind.TorchScript;
        public bool SupportsGradients => true;
        public IReadOnlyList<nn.Module<Tensor, Tensor>>? Layers => null;
        public Tensor Preprocess(Tensor pixels) => inner.Preprocess(pixels);
        public Tensor Forward(Tensor pixels) => inner.Forward(pixels);
        public void Dispose() => inner.Dispose();
    }
}

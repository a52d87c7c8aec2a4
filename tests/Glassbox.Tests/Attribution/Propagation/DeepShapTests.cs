using Glassbox.Attribution;
using Glassbox.Attribution.Propagation;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Attribution.Propagation;

public class DeepShapTests
{
    private static ModelInfo Info(int c, int h, int w, int classes, string arch = "custom")
        => new(arch, c, h, w, Enumerable.Range(0, classes).Select(i => i.ToString()).ToArray());

    [Fact]
    public void DeepShap_OnLinearModel_EqualsWeightsTimesInputMinusBackgroundMean()
    {
        torch.manual_seed(1);
        var lin = nn.Linear(16, 3);
        using var model = new ImageClassifier(Info(1, 4, 4, 3), nn.Sequential(nn.Flatten(), lin));
        var bg = torch.rand(7, 1, 4, 4);
        var x = torch.rand(5, 1, 4, 4);
        var shap = new DeepShap(model, bg);
        var e = shap.Explain(x, TargetSelection.AllClasses);

        var expected = (x.reshape(5, 1, 16) - bg.reshape(7, 16).mean([0]).reshape(1, 1, 16)) * lin.weight!.detach().reshape(1, 3, 16);
        var exp = expected.data<float>().ToArray();
        Assert.Equal(exp.Length, e.Values.Length);
        for (int i = 0; i < exp.Length; i++) Assert.Equal(exp[i], e.Values[i], 1e-5);
        Assert.All(e.AdditivityErrors!, err => Assert.True(err < 1e-5));
    }

    [Fact]
    public void DeepShap_OnSmallReluNetwork_EqualsHandDerivedRescaleResult()
    {
        // x = (1, 2), r = (0, 0); z_x = (-0.5, 3), z_r = (0.5, -1); multipliers (0.5, 0.75);
        // gradient at the input W1ᵀ·(w2 ⊙ m) = (3.5, 1.0); φ = (3.5, 2.0); f(x) − f(r) = 6 − 0.5 = 5.5.
        var l1 = nn.Linear(2, 2);
        var l2 = nn.Linear(2, 1 + 1);
        using (torch.no_grad())
        {
            l1.weight!.copy_(torch.tensor(new float[] { 1, -1, 2, 1 }, [2, 2]));
            l1.bias!.copy_(torch.tensor(new float[] { 0.5f, -1 }));
            l2.weight!.copy_(torch.tensor(new float[] { 1, 2, 0, 0 }, [2, 2]));
            l2.bias!.copy_(torch.tensor(new float[] { 0, 0 }));
        }
        using var model = new ImageClassifier(Info(1, 1, 2, 2), nn.Sequential(nn.Flatten(), l1, nn.ReLU(), l2));
        var shap = new DeepShap(model, torch.zeros(1, 1, 1, 2));
        var e = shap.Explain(torch.tensor(new float[] { 1, 2 }, [1, 1, 1, 2]), TargetSelection.Classes(0));
        Assert.Equal(3.5, e.Values[0], 1e-6);
        Assert.Equal(2.0, e.Values[1], 1e-6);
        Assert.Equal(6.0, e.Outputs[0], 1e-6);
        Assert.Equal(0.5, e.BaseValues[0], 1e-6);
    }

    [Theory]
    [InlineData(Architecture.ReferenceCnn, OutputSpace.Logits)]
    [InlineData(Architecture.ReferenceCnn, OutputSpace.Probabilities)]
    [InlineData(Architecture.PooledCnn, OutputSpace.Logits)]
    public void DeepShap_IsAdditive_OnBuiltInCnns_ForAllClasses(string arch, OutputSpace output)
    {
        torch.manual_seed(3);
        using var model = new ImageClassifier(Info(1, 28, 28, 10, arch));
        var bg = torch.rand(20, 1, 28, 28);
        var x = torch.rand(4, 1, 28, 28);
        var shap = new DeepShap(model, bg, new DeepShapOptions(Output: output, PairsPerChunk: 30));
        var e = shap.Explain(x, TargetSelection.AllClasses);
        Assert.Equal(new[] { 4, 10, 1, 28, 28 }, e.Shape);
        Assert.Empty(e.AdditivityFailures());
        Assert.True(e.MaxAdditivityError < 1e-4, $"max additivity error {e.MaxAdditivityError}");
        // Attributions are not trivially zero.
        Assert.True(e.Values.Max(Math.Abs) > 1e-4);
    }

    [Fact]
    public void DeepShap_PerInputTargets_MatchTheSameClassesExplainedForAll()
    {
        torch.manual_seed(4);
        using var model = new ImageClassifier(Info(1, 28, 28, 10, Architecture.ReferenceCnn));
        var bg = torch.rand(6, 1, 28, 28);
        var x = torch.rand(3, 1, 28, 28);
        var shap = new DeepShap(model, bg, new DeepShapOptions(PairsPerChunk: 12));
        var all = shap.Explain(x, TargetSelection.AllClasses);
        var each = shap.Explain(x, TargetSelection.PerInput(2, 7, 2));
        int[] t = [2, 7, 2];
        for (int n = 0; n < 3; n++)
        {
            var a = all.Map(n, t[n]).ToArray();
            var b = each.Map(n, 0).ToArray();
            for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i], 1e-6);
        }
    }

    [Fact]
    public void DeepShap_RefusesLayersWithoutARule_AndModulesUsedTwice()
    {
        var info = Info(1, 1, 4, 2);
        using var gelu = new ImageClassifier(info, nn.Sequential(nn.Flatten(), nn.Linear(4, 4), nn.GELU(), nn.Linear(4, 2)));
        var ex = Assert.Throws<GlassboxException>(() => new DeepShap(gelu, torch.zeros(1, 1, 1, 4)));
        Assert.Contains("GELU", ex.Message);

        var shared = nn.Linear(4, 4);
        using var twice = new ImageClassifier(info, nn.Sequential(("0", nn.Flatten()), ("1", shared), ("2", nn.ReLU()), ("3", shared), ("4", nn.Linear(4, 2))));
        var ex2 = Assert.Throws<GlassboxException>(() => new DeepShap(twice, torch.zeros(1, 1, 1, 4)));
        Assert.Contains("used twice", ex2.Message);
    }

    [Fact]
    public void DeepShap_RejectsNaNInputsAndWrongShapes()
    {
        using var model = new ImageClassifier(Info(1, 28, 28, 10, Architecture.ReferenceCnn));
        var shap = new DeepShap(model, torch.rand(2, 1, 28, 28));
        var nan = torch.rand(1, 1, 28, 28);
        nan[0, 0, 3, 3] = float.NaN;
        Assert.Contains("NaN", Assert.Throws<GlassboxException>(() => shap.Explain(nan, TargetSelection.AllClasses)).Message);
        Assert.Contains("1×28×28", Assert.Throws<GlassboxException>(() => shap.Explain(torch.rand(1, 1, 27, 28), TargetSelection.AllClasses)).Message);
        Assert.Contains("does not exist", Assert.Throws<GlassboxException>(() => shap.Explain(torch.rand(1, 1, 28, 28), TargetSelection.Classes(10))).Message);
    }
}

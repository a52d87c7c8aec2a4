using Glassbox.Attribution;
using Glassbox.Attribution.Gradient;
using Glassbox.Attribution.Propagation;
using Glassbox.Models;
using Glassbox.Tests.Attribution.Gradient;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Attribution.Propagation;

/// <summary>The backward pass over a graph, the LRP composites' rule assignment and the batch-norm canonizer.</summary>
public class EngineTests
{
    private static ModelInfo Info(int c, int h, int w, int classes) => GradientTestModels.Info(c, h, w, classes);

    // Conv → ReLU → Conv → ReLU → Flatten → Linear → ReLU → Linear on 1×6×6.
    private static ImageClassifier Cnn()
    {
        torch.manual_seed(12);
        return new ImageClassifier(Info(1, 6, 6, 3), nn.Sequential(
            nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Conv2d(2, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8, 5), nn.ReLU(), nn.Linear(5, 3)));
    }

    private sealed class SumRule : IBackwardRule
    {
        public string Name => "sum";
        public Tensor[] Backward(LayerStep step, Tensor signal, object? state) => [signal, signal];
    }

    [Fact]
    public void Backward_AccumulatesOverEveryReaderOfAValue()
    {
        // A residual block y = W x + x: node 0 reads the input, node 1 adds node 0's output and the input again.
        // Its gradient reaches the input twice: gᵀW + g.
        var lin = nn.Linear(2, 2, hasBias: false);
        using (torch.no_grad()) lin.weight!.copy_(torch.tensor(new float[] { 1, -1, 2, 1 }, [2, 2]));
        var graph = new LayerGraph([new LayerNode(lin, [0]), new LayerNode(nn.Identity(), [1, 0])]);
        var pass = new BackwardPass(graph, [new GradientRule(), new SumRule()]);
        var x = torch.tensor(new float[] { 1, 2 }, [1, 2]);
        var wx = lin.forward(x).detach();
        var prepared = pass.Prepare([x, wx, wx + x]);
        var g = pass.Backward(prepared, torch.tensor(new float[] { 1, 3 }, [1, 2]));
        // gᵀW = (1 + 6, −1 + 3) = (7, 2); plus g = (8, 5).
        GradientTestModels.Close([8f, 5f], g.data<float>().ToArray(), 1e-6);
        Assert.Contains("topologically", Assert.Throws<GlassboxException>(() => new LayerGraph([new LayerNode(lin, [1])])).Message);
        Assert.Contains("one rule per node", Assert.Throws<GlassboxException>(() => new BackwardPass(graph, [new GradientRule()])).Message);
    }

    [Fact]
    public void Lrp0_EqualsGradientTimesInput_OnABiasFreeReluNetwork()
    {
        torch.manual_seed(13);
        using var model = new ImageClassifier(Info(1, 4, 4, 3), nn.Sequential(
            nn.Flatten(), nn.Linear(16, 12, hasBias: false), nn.ReLU(), nn.Linear(12, 8, hasBias: false), nn.ReLU(), nn.Linear(8, 3, hasBias: false)));
        var x = torch.rand(4, 1, 4, 4);
        var lrp = new Lrp(model, new LrpOptions(Epsilon: 0)).Attribute(x, TargetSelection.AllClasses);
        var ixg = new InputXGradient(model).Attribute(x, TargetSelection.AllClasses);
        GradientTestModels.Close(ixg.Values, lrp.Values, 1e-5);
        Assert.True(lrp.MaxAdditivityError < 1e-4, $"{lrp.MaxAdditivityError:E2}");
    }

    [Theory]
    [InlineData("epsilon", "epsilon", "epsilon", "epsilon", "epsilon")]
    [InlineData("epsilon-plus", "z-plus", "z-plus", "epsilon", "epsilon")]
    [InlineData("epsilon-gamma", "gamma", "gamma", "epsilon", "epsilon")]
    [InlineData("alpha1-beta0", "alpha1-beta0", "alpha1-beta0", "alpha1-beta0", "alpha1-beta0")]
    [InlineData("z-plus", "z-plus", "z-plus", "z-plus", "z-plus")]
    [InlineData("gamma", "gamma", "gamma", "gamma", "gamma")]
    [InlineData("epsilon-plus-flat", "flat", "z-plus", "epsilon", "epsilon")]
    [InlineData("epsilon-gamma-box", "z-box", "generalized-gamma", "epsilon", "epsilon")]
    [InlineData("epsilon-alpha2-beta1", "alpha2-beta1", "alpha2-beta1", "epsilon", "epsilon")]
    public void Composites_AssignTheIntendedRulePerLayer(string composite, string conv1, string conv2, string dense1, string dense2)
    {
        using var model = Cnn();
        var lrp = new Lrp(model, new LrpOptions(composite));
        Assert.Equal(
            [$"Conv2d: {conv1}", "ReLU: pass", $"Conv2d: {conv2}", "ReLU: pass", "Flatten: gradient", $"Linear: {dense1}", "ReLU: pass", $"Linear: {dense2}"],
            lrp.LayerRules);
        var e = lrp.Attribute(torch.rand(2, 1, 6, 6), TargetSelection.AllClasses);
        Assert.All(e.Values, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void FirstLayerMaps_ApplyToTheFirstWeightedLayer_FlatForDense_ButBoxOnlyForConvolutions()
    {
        torch.manual_seed(14);
        using var mlp = new ImageClassifier(Info(1, 2, 2, 3), nn.Sequential(nn.Flatten(), nn.Linear(4, 6), nn.ReLU(), nn.Linear(6, 3), nn.Softmax(1)));
        Assert.Equal(["Flatten: gradient", "Linear: flat", "ReLU: pass", "Linear: epsilon"], new Lrp(mlp, new LrpOptions("epsilon-plus-flat")).LayerRules);
        // Zennit's EpsilonGammaBox maps only convolutions to z-box in its first-layer map.
        Assert.Equal(["Flatten: gradient", "Linear: epsilon", "ReLU: pass", "Linear: epsilon"], new Lrp(mlp, new LrpOptions("epsilon-gamma-box")).LayerRules);
    }

    [Fact]
    public void EpsilonGammaBox_BoundsThePixelRangeThroughTheInputNormalisation()
    {
        // One 2×2 convolution (w = (1, −1, 2, 0), b = 2 for class 0) on 1×2×2 pixels x = (1, 0.5, 0.25, 0), normalised
        // with mean 0.5 and std 0.5: a = (1, 0, −0.5, −1), l = −1, h = 1. z = Wa − W⁺l − W⁻h = 0 + 3 + 1 = 4, s = R / z = 0.5;
        // R = a ⊙ Wᵀs − l ⊙ W⁺ᵀs − h ⊙ W⁻ᵀs = (0.5, 0, −0.5, 0) + (0.5, 0, 1, 0) + (0, 0.5, 0, 0) = (1, 0.5, 0.5, 0).
        var conv = nn.Conv2d(1, 2, 2);
        using (torch.no_grad())
        {
            conv.weight!.copy_(torch.tensor(new float[] { 1, -1, 2, 0, 0, 0, 0, 0 }, [2, 1, 2, 2]));
            conv.bias!.copy_(torch.tensor(new float[] { 2, 0 }));
        }
        var info = new ModelInfo("custom", 1, 2, 2, ["a", "b"], Mean: [0.5f], Std: [0.5f]);
        using var model = new ImageClassifier(info, nn.Sequential(conv, nn.Flatten()));
        var lrp = new Lrp(model, new LrpOptions("epsilon-gamma-box"));
        Assert.Equal(["Conv2d: z-box", "Flatten: gradient"], lrp.LayerRules);
        var e = lrp.Attribute(torch.tensor(new float[] { 1, 0.5f, 0.25f, 0 }, [1, 1, 2, 2]), TargetSelection.Classes(0));
        GradientTestModels.Close([1f, 0.5f, 0.5f, 0f], e.Values, 1e-6);
    }

    private static ImageClassifier WithBatchNorm()
    {
        torch.manual_seed(15);
        var bn = nn.BatchNorm2d(3);
        using (torch.no_grad())
        {
            bn.running_mean!.copy_(torch.tensor(new[] { 0.2f, -0.3f, 0.1f }));
            bn.running_var!.copy_(torch.tensor(new[] { 0.5f, 1.5f, 2f }));
            bn.weight!.copy_(torch.tensor(new[] { 1.2f, 0.7f, -0.9f }));
            bn.bias!.copy_(torch.tensor(new[] { 0.1f, -0.2f, 0.3f }));
        }
        return new ImageClassifier(Info(1, 6, 6, 4), nn.Sequential(
            nn.Conv2d(1, 3, 3, padding: 1), bn, nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(3, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(2, 4)));
    }

    [Fact]
    public void MergeBatchNorm_KeepsTheForwardOutput_AndLeavesTheModelAlone()
    {
        using var model = WithBatchNorm();
        var graph = LayerGraph.FromModel(model, "test");
        var conv = (TorchSharp.Modules.Conv2d)graph.Nodes[0].Module;
        var before = conv.weight!.detach().clone();
        var merged = new MergeBatchNorm().Apply(graph);
        Assert.Equal(graph.Nodes.Count - 1, merged.Nodes.Count);
        Assert.DoesNotContain(merged.Nodes, n => n.Module is TorchSharp.Modules.BatchNorm2d);
        var x = torch.rand(5, 1, 6, 6);
        GradientTestModels.Close(model.Forward(x).data<float>().ToArray(), merged.Output(model.Preprocess(x)).data<float>().ToArray(), 1e-5);
        Assert.True(conv.weight!.detach().eq(before).all().item<bool>());
    }

    [Fact]
    public void ZennitComposites_MergeBatchNorm_SoLrpEqualsLrpOnTheMergedModel()
    {
        using var model = WithBatchNorm();
        var merged = new MergeBatchNorm().Apply(LayerGraph.FromModel(model, "test"));
        using var mergedModel = new ImageClassifier(model.Info, nn.Sequential(merged.Nodes.Select(n => n.Module).ToArray()));
        var x = torch.rand(3, 1, 6, 6);
        foreach (var composite in new[] { "epsilon-plus-flat", "epsilon-gamma-box", "epsilon-alpha2-beta1" })
        {
            var lrp = new Lrp(model, new LrpOptions(composite));
            Assert.DoesNotContain(lrp.LayerRules, r => r.StartsWith("BatchNorm2d"));
            var a = lrp.Attribute(x, TargetSelection.AllClasses);
            var b = new Lrp(mergedModel, new LrpOptions(composite)).Attribute(x, TargetSelection.AllClasses);
            GradientTestModels.Close(b.Values, a.Values, 1e-5);
        }
        // Today's composites keep batch norm as its own layer (ε rule), so their numbers are unchanged.
        Assert.Contains("BatchNorm2d: epsilon", new Lrp(model, new LrpOptions("epsilon-plus")).LayerRules);
    }
}

using Glassbox.Attribution;
using Glassbox.Attribution.Gradient;
using TorchSharp;
using static Glassbox.Tests.Attribution.Gradient.GradientTestModels;

namespace Glassbox.Tests.Attribution.Gradient;

public class SaliencyTests
{
    [Fact]
    public void Saliency_OnLinearModel_IsAbsoluteWeight_ForEveryClass()
    {
        using var model = Linear(1, 1, 3, 3, 4, out var w);
        var x = torch.rand(5, 1, 3, 3);
        var e = new Saliency(model, new SaliencyOptions(InternalBatchSize: 2)).Attribute(x, TargetSelection.AllClasses);
        Assert.Equal(new[] { 5, 4, 1, 3, 3 }, e.Shape);
        Close(Times(torch.ones(5, 9), w.abs()), e.Values, 1e-6);
        var logits = model.Forward(x).detach().data<float>().ToArray();
        for (int i = 0; i < 20; i++) Assert.Equal(logits[i], e.Outputs[i], 1e-5);
        Assert.Null(e.AdditivityErrors);
    }

    [Fact]
    public void Saliency_Signed_IsWeight()
    {
        using var model = Linear(2, 1, 3, 3, 3, out var w);
        var x = torch.rand(2, 1, 3, 3);
        var e = new Saliency(model, new SaliencyOptions(Abs: false)).Attribute(x, TargetSelection.Classes(2, 0));
        Assert.Equal(new[] { 2, 2, 1, 3, 3 }, e.Shape);
        Assert.Equal(new[] { 2, 0, 2, 0 }, e.Targets);
        Close(Times(torch.ones(2, 9), torch.stack([w[2], w[0]])), e.Values, 1e-6);
    }

    [Fact]
    public void InputXGradient_OnLinearModel_IsInputTimesWeight()
    {
        using var model = Linear(3, 2, 2, 2, 3, out var w);
        var x = torch.rand(4, 2, 2, 2);
        var e = new InputXGradient(model, new InputXGradientOptions(InternalBatchSize: 3)).Attribute(x, TargetSelection.PerInput(0, 2, 1, 2));
        Assert.Equal(new[] { 4, 1, 2, 2, 2 }, e.Shape);
        var expected = x.reshape(4, 8) * w.index_select(0, torch.tensor(new long[] { 0, 2, 1, 2 }));
        Close(expected.data<float>().ToArray(), e.Values, 1e-6);
    }

    [Fact]
    public void Saliency_OnProbabilities_IsTheSoftmaxGradient()
    {
        using var model = Relu(4);
        var x = torch.rand(3, 1, 4, 4);
        var e = new Saliency(model, new SaliencyOptions(Abs: false, Output: OutputSpace.Probabilities)).Attribute(x, TargetSelection.Classes(1));
        var xr = x.clone().requires_grad_(true);
        var p = torch.nn.functional.softmax(model.Forward(xr), 1);
        var g = torch.autograd.grad([p[.., 1].sum()], [xr])[0];
        Close(g.data<float>().ToArray(), e.Values, 1e-6);
        var probs = p.detach()[.., 1].data<float>().ToArray();
        for (int i = 0; i < 3; i++) Assert.Equal(probs[i], e.Outputs[i], 1e-6);
    }

    [Fact]
    public void AllClasses_SlotsEqual_SingleClassRuns()
    {
        using var model = Relu(5);
        var x = torch.rand(3, 1, 4, 4);
        var sal = new Saliency(model, new SaliencyOptions(Abs: false));
        var all = sal.Attribute(x, TargetSelection.AllClasses);
        for (int c = 0; c < 3; c++)
        {
            var one = sal.Attribute(x, TargetSelection.Classes(c));
            for (int n = 0; n < 3; n++) Assert.Equal(one.Map(n, 0).ToArray(), all.Map(n, c).ToArray());
        }
    }
}

using Glassbox.Attribution;
using Glassbox.Attribution.Gradient;
using Glassbox.Metrics;
using Glassbox.Metrics.Axiomatic;
using Glassbox.Models;
using Glassbox.Tests.Attribution.Gradient;
using TorchSharp;
using static Glassbox.Tests.Metrics.MetricTestModels;
using static TorchSharp.torch;

namespace Glassbox.Tests.Metrics;

public class AxiomaticMetricTests
{
    [Fact]
    public void NonSensitivity_CountsFeaturesWhereAttributionAndModelSensitivityDisagree()
    {
        // Logits a = 4x0 + 2x1 + x2 + 0.5x3 and b = x1 + 2x2 + 3x3; replacing a pixel by 0 changes a logit by weight × pixel.
        using var model = Linear();
        using var x = Images([1, 1, 1, 1], [0, 1, 1, 1], [0, 1, 1, 1]);
        var e = Explain(3, 1, [0, 1, 1], [[1, 0, 1, 0], [0, 1, 2, 3], [5, 1, 0, 0]], OutputSpace.Logits);
        var logits = new NonSensitivityOptions(Output: OutputSpace.Logits);
        // [1,0,1,0]: every pixel moves a, so the two unattributed pixels violate. [0,1,2,3] for b on x0 = 0: pixel 0 is
        // neither used nor attributed, the rest are both. [5,1,0,0]: pixel 0 is attributed but inert, 2 and 3 used but not attributed.
        Assert.Equal([2.0, 0.0, 3.0], new NonSensitivity(logits).Evaluate(model, x, e).Scores);
        // Two features per step: pixels 0 and 1 are replaced together (b changes by 1), so pixel 0 now counts as used.
        Assert.Equal(2.0, new NonSensitivity(logits with { FeaturesInStep = 2 }).Evaluate(model, x, e).Scores[2]);
        // A baseline equal to the input changes nothing: every attributed pixel violates.
        Assert.Equal([2.0, 3.0, 2.0], new NonSensitivity(logits with { PerturbBaseline = Baseline.Constant(1f) }).Evaluate(model, x, e).Scores);
        Assert.Contains("features_in_step", Assert.Throws<GlassboxException>(() => new NonSensitivity(logits with { FeaturesInStep = 5 }).Evaluate(model, x, e)).Message);
    }

    [Fact]
    public void InputInvariance_ShiftedModelComputesTheSameFunction_OnTheReferenceCnnWithNormalisation()
    {
        torch.manual_seed(4);
        using var model = new ImageClassifier(new ModelInfo(Architecture.ReferenceCnn, 1, 8, 8, ["a", "b", "c"], [0.5f], [0.25f]));
        using var x = torch.rand(3, 1, 8, 8);
        var (shifted, layer, added) = InputInvariance.ShiftedModel(model, -1);
        using (added)
        using (torch.no_grad())
        {
            using var original = model.Forward(x);
            using var moved = x - 1;
            using var again = shifted.Forward(moved);
            Assert.True((original - again).abs().max().item<float>() < 1e-4f);
            using var plain = model.Forward(moved);
            Assert.True((original - plain).abs().max().item<float>() > 0.1f); // the compensation matters
        }
        Assert.Equal("Conv2d at 0", layer);
        Assert.Equal(ModelKind.BuiltIn, shifted.Kind);
        using var stillWorks = model.Forward(x); // the original's shared layers are intact
    }

    [Fact]
    public void InputInvariance_HoldsForGradients_AndFailsForIntegratedGradientsWithAZeroBaseline()
    {
        // Kindermans et al.: the gradient of a linear model does not see the shift; x ⊙ ∇f does.
        using var model = Linear();
        using var x = Images([1, 0.5f, 0, 1], [0.25f, 1, 1, 0]);
        var targets = TargetSelection.PerInput(0, 1);
        ExplainFunction saliency = (m, inp, t, c) => new Saliency(m, new(Abs: false)).Attribute(inp, t, cancel: c);
        ExplainFunction ig = (m, inp, t, c) => new IntegratedGradients(m, new(NSteps: 8)).Attribute(inp, t, cancel: c);
        var metric = new InputInvariance();
        var s = metric.Evaluate(model, x, saliency(model, x, targets, default), saliency);
        Assert.Equal([1.0, 1.0], s.Scores);
        var detail = Assert.IsType<InputInvarianceDetail>(s.Detail);
        Assert.Equal("Linear at 1", detail.FirstLayer);
        Assert.All(detail.MaxDifference, d => Assert.True(d < 1e-6));
        var r = metric.Evaluate(model, x, ig(model, x, targets, default), ig);
        Assert.Equal([0.0, 0.0], r.Scores);
        // IG(x + m) − IG(x) = m ⊙ W: the largest weight of a is 4, of b is 3.
        Assert.Equal(4, ((InputInvarianceDetail)r.Detail!).MaxDifference[0], 4);
        Assert.Equal(3, ((InputInvarianceDetail)r.Detail!).MaxDifference[1], 4);
        // Several targets per input: every slot is compared.
        var all = saliency(model, x, TargetSelection.AllClasses, default);
        Assert.Equal([1.0, 1.0, 1.0, 1.0], metric.Evaluate(model, x, all, saliency).Scores);
    }

    [Fact]
    public void InputInvariance_RefusesModelsWhoseFirstBiasItCannotChange()
    {
        using var blackBox = new BlackBoxModel(Linear());
        using var x = Images([1, 1, 1, 1]);
        var e = Explain(1, 1, [0], [[1, 1, 1, 1]], OutputSpace.Logits);
        ExplainFunction none = (_, _, _, _) => throw new InvalidOperationException("not reached");
        var ex = Assert.Throws<GlassboxException>(() => new InputInvariance().Evaluate(blackBox, x, e, none));
        Assert.Contains("built-in and Sequential-spec models only", ex.Message);
        using var padded = new ImageClassifier(new ModelInfo("custom", 1, 2, 2, ["a", "b"]),
            nn.Sequential(nn.Conv2d(1, 2, 3, padding: 1), nn.Flatten(), nn.Linear(8, 2)));
        Assert.Contains("pads its input", Assert.Throws<GlassboxException>(() => new InputInvariance().Evaluate(padded, x, e, none)).Message);
        using var relu = new ImageClassifier(new ModelInfo("custom", 1, 2, 2, ["a", "b"]), nn.Sequential(nn.ReLU(), nn.Flatten(), nn.Linear(4, 2)));
        Assert.Contains("first weighted layer", Assert.Throws<GlassboxException>(() => new InputInvariance().Evaluate(relu, x, e, none)).Message);
    }
}

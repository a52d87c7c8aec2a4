using Glassbox.Attribution;
using Glassbox.Attribution.Gradient;
using Glassbox.Attribution.Catalog;
using Glassbox.Tests.Attribution.Catalog;
using TorchSharp;
using static Glassbox.Tests.Attribution.Gradient.GradientTestModels;

namespace Glassbox.Tests.Attribution.Gradient;

public class GradientErrorTests
{
    private static IEnumerable<IAttributionMethod> AllMethods(Glassbox.Models.IImageModel model) =>
    [
        new Saliency(model), new InputXGradient(model), new IntegratedGradients(model, new IntegratedGradientsOptions(4)),
        new GradientShap(model, Baseline.FromImages(torch.rand(3, 1, 4, 4))),
        new GradientExplainer(model, torch.rand(3, 1, 4, 4), new GradientExplainerOptions(NSamples: 4)),
    ];

    [Fact]
    public void EveryMethod_RefusesBadInput()
    {
        using var model = Relu(41);
        foreach (var m in AllMethods(model))
        {
            var nan = torch.rand(2, 1, 4, 4);
            nan[1, 0, 2, 2] = float.NaN;
            var ex = Assert.Throws<GlassboxException>(() => m.Attribute(nan, TargetSelection.AllClasses));
            Assert.Contains("NaN", ex.Message);
            Assert.Throws<GlassboxException>(() => m.Attribute(torch.rand(2, 1, 5, 4), TargetSelection.AllClasses));
            Assert.Throws<GlassboxException>(() => m.Attribute(torch.rand(1, 4, 4), TargetSelection.AllClasses));
            Assert.Throws<GlassboxException>(() => m.Attribute(torch.rand(2, 1, 4, 4), TargetSelection.Classes(3)));
            Assert.Throws<GlassboxException>(() => m.Attribute(torch.rand(2, 1, 4, 4), TargetSelection.PerInput(0)));
        }
    }

    [Fact]
    public void EveryMethod_RefusesAModelWithoutGradients()
    {
        using var model = new BlackBoxModel(Relu(42));
        var bg = torch.rand(3, 1, 4, 4);
        var makers = new Func<IAttributionMethod>[]
        {
            () => new Saliency(model), () => new InputXGradient(model), () => new IntegratedGradients(model),
            () => new GradientShap(model, Baseline.FromImages(bg)), () => new GradientExplainer(model, bg),
        };
        foreach (var make in makers)
        {
            var ex = Assert.Throws<GlassboxException>(make);
            Assert.Contains("needs gradients", ex.Message);
        }
        foreach (var entry in GradientMethods.Entries)
            Assert.Throws<GlassboxException>(() => MethodCatalog.CheckModel(entry, model));
    }

    [Fact]
    public void BadOptions_AreRefused()
    {
        using var model = Relu(43);
        var bg = torch.rand(3, 1, 4, 4);
        Assert.Throws<GlassboxException>(() => new Saliency(model, new SaliencyOptions(InternalBatchSize: 0)));
        Assert.Throws<GlassboxException>(() => new GradientShap(model, Baseline.FromImages(bg), new GradientShapOptions(NSamples: 0)));
        Assert.Throws<GlassboxException>(() => new GradientShap(model, Baseline.FromImages(bg), new GradientShapOptions(Stdevs: -1)));
        Assert.Throws<GlassboxException>(() => new GradientExplainer(model, bg, new GradientExplainerOptions(LocalSmoothing: double.NaN)));
        Assert.Throws<GlassboxException>(() => new GradientExplainer(model, torch.rand(0, 1, 4, 4)));
        Assert.Throws<GlassboxException>(() => new GradientExplainer(model, torch.rand(2, 1, 3, 4)));
        var badBaseline = torch.rand(2, 1, 4, 4);
        badBaseline[0, 0, 0, 0] = float.PositiveInfinity;
        Assert.Throws<GlassboxException>(() => new GradientShap(model, Baseline.FromImages(badBaseline)).Attribute(torch.rand(1, 1, 4, 4), TargetSelection.AllClasses));
        Assert.Throws<GlassboxException>(() => new IntegratedGradients(model, new IntegratedGradientsOptions(Baselines: Baseline.FromImages(torch.rand(2, 1, 4, 4))))
            .Attribute(torch.rand(3, 1, 4, 4), TargetSelection.AllClasses));
        Assert.Throws<GlassboxException>(() => new GradientShap(model, Baseline.Blur()).Attribute(torch.rand(1, 1, 4, 4), TargetSelection.AllClasses));
    }

    [Fact]
    public void Catalog_CreatesEveryMethod_FromArguments()
    {
        using var model = Relu(44);
        var names = GradientMethods.Entries.Select(e => e.Name).ToArray();
        Assert.Equal(new[] { "saliency", "input-x-gradient", "integrated-gradients", "gradient-shap", "gradient-explainer" }, names);
        var a = new Dictionary<string, string>
        {
            ["n-steps"] = "8", ["integration-method"] = "riemann_middle", ["n-samples"] = "6",
            ["abs"] = "false", ["output"] = "probabilities", ["seed"] = "3", ["local-smoothing"] = "0.1", ["stdevs"] = "0.05",
        };
        var distribution = Baseline.FromImages(torch.rand(4, 1, 4, 4));
        var x = torch.rand(2, 1, 4, 4);
        foreach (var entry in GradientMethods.Entries)
        {
            Assert.Equal(MethodRequirement.Gradients, entry.Requirement);
            Assert.Equal(entry.Name is "gradient-shap" or "gradient-explainer", entry.UsesBaselineDistribution);
            // Integrated gradients takes one baseline per input (or one shared), not a distribution.
            var m = entry.UsesBaselineDistribution ? Catalogued.Create(entry, model, Catalogued.For(entry, a), distribution)
                : Catalogued.Create(entry, model, Catalogued.For(entry, new Dictionary<string, string>(a) { ["baselines"] = "constant:0.5" }));
            Assert.Equal(entry.Name, m.Name);
            var e = m.Attribute(x, TargetSelection.AllClasses);
            Assert.Equal(new[] { 2, 3, 1, 4, 4 }, e.Shape);
            Assert.Equal(OutputSpace.Probabilities, e.Output);
        }
        var ig = Assert.IsType<IntegratedGradients>(Catalogued.Create(GradientMethods.Entries[2], model, Catalogued.For(GradientMethods.Entries[2], a)));
        Assert.Equal(8, ig.Options.NSteps);
        Assert.Equal(Glassbox.Attribution.Approximation.IntegrationMethod.RiemannMiddle, ig.Options.Method);
        Assert.Throws<GlassboxException>(() => Catalogued.Create(GradientMethods.Entries[2], model, new Dictionary<string, string> { ["integration-method"] = "simpson" }));
    }

    [Fact]
    public void Cancellation_IsHonoured()
    {
        using var model = Relu(45);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => new IntegratedGradients(model).Attribute(torch.rand(2, 1, 4, 4), TargetSelection.AllClasses, null, cts.Token));
    }
}

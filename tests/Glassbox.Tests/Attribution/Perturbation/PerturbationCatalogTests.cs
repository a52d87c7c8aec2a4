using Glassbox.Attribution;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Models;
using Glassbox.Attribution.Catalog;
using Glassbox.Tests.Attribution.Catalog;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Attribution.Perturbation;

public class PerturbationCatalogTests
{
    [Fact]
    public void PerturbationEntries_NeedOnlyForwardPasses_AndBuildWorkingMethods()
    {
        var names = new[] { "occlusion", "feature-ablation", "shapley-value-sampling", "kernel-shap" };
        var entries = names.Select(MethodCatalog.Default.Get).ToArray();
        Assert.Equal(names, entries.Select(e => e.Name));
        using var model = new FunctionModel(TestModels.Info(1, 8, 8, 2), x => x.reshape(x.shape[0], 2, 32).sum(2).pow(2));
        torch.manual_seed(1);
        var x = torch.rand(2, 1, 8, 8);
        foreach (var entry in entries)
        {
            Assert.Equal(MethodRequirement.Forward, entry.Requirement);
            MethodCatalog.CheckModel(entry, model);
            var args = new Dictionary<string, string> { ["n-samples"] = "20", ["sliding-window"] = "2,2", ["strides"] = "2", ["feature-mask"] = "grid:4", ["seed"] = "3" };
            var method = Catalogued.Create(entry, model, Catalogued.For(entry, args));
            Assert.Equal(entry.Name, method.Name);
            var e = method.Attribute(x, TargetSelection.AllClasses);
            Assert.Equal(new[] { 2, 2, 1, 8, 8 }, e.Shape);
            Assert.True(e.Values.Max(Math.Abs) > 0, entry.Name);
        }
    }

    [Fact]
    public void PerturbationMethods_OnTheReferenceCnn_AreAdditiveWhereGuaranteed()
    {
        torch.manual_seed(5);
        using var model = new ImageClassifier(TestModels.Info(1, 12, 12, 10) with { Architecture = Architecture.ReferenceCnn });
        var x = torch.rand(2, 1, 12, 12);
        var args = new Dictionary<string, string> { ["n-samples"] = "10", ["output"] = "probabilities" };
        foreach (var entry in new[] { "occlusion", "feature-ablation", "shapley-value-sampling", "kernel-shap" }.Select(MethodCatalog.Default.Get))
        {
            var e = Catalogued.Create(entry, model, Catalogued.For(entry, args)).Attribute(x, TargetSelection.Classes(3));
            Assert.Equal(new[] { 2, 1, 1, 12, 12 }, e.Shape);
            Assert.Empty(e.AdditivityFailures());
            if (entry.Family == "shapley") Assert.True(e.MaxAdditivityError < 1e-5, $"{entry.Name}: {e.MaxAdditivityError}");
        }
    }

    [Fact]
    public void Occlusion_WithNonOverlappingWindows_EqualsFeatureAblationOnTheSameGrid()
    {
        torch.manual_seed(9);
        using var model = new ImageClassifier(TestModels.Info(2, 9, 9, 4) with { Architecture = Architecture.ReferenceCnn });
        var x = torch.rand(3, 2, 9, 9);
        var baseline = Glassbox.Attribution.Baseline.Constant(0.5f);
        var occ = new Glassbox.Attribution.Perturbation.Occlusion(model, new(SlidingWindowShapes: [3, 3], Strides: [3], Baselines: baseline))
            .Attribute(x, TargetSelection.AllClasses);
        var fa = new Glassbox.Attribution.Perturbation.FeatureAblation(model, new(MaskSource.Grid(3), baseline))
            .Attribute(x, TargetSelection.AllClasses);
        for (int i = 0; i < occ.Values.Length; i++) Assert.Equal(fa.Values[i], occ.Values[i], 1e-5);
        Assert.Equal(fa.BaseValues, occ.BaseValues);
    }
}

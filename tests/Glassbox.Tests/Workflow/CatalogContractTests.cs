using Glassbox.Attribution;
using Glassbox.Models;
using Glassbox.Tests.Attribution.Gradient;
using Glassbox.Attribution.Catalog;
using Glassbox.Tests.Attribution.Catalog;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Workflow;

/// <summary>Every catalog method: shapes, targets, finiteness, determinism under a seed, refusal on models it cannot run on.</summary>
public class CatalogContractTests
{
    public static TheoryData<string> Methods()
    {
        var data = new TheoryData<string>();
        foreach (var e in MethodCatalog.Default.Entries) data.Add(e.Name);
        return data;
    }

    private static ImageClassifier Cnn()
    {
        torch.manual_seed(17);
        return new ImageClassifier(GradientTestModels.Info(1, 8, 8, 3),
            nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(36, 3)));
    }

    /// <summary>The built-in ResNet-8 (residual sums, batch norms, 1×1 downsamples) on the same 8×8 images, walked as a graph.</summary>
    private static ImageClassifier ResNet() => Glassbox.Tests.Models.Residual.ResNetSmallTests.Random(17);

    private static IAttributionMethod Create(MethodEntry entry, IImageModel model, int seed)
    {
        var a = new Dictionary<string, string> { ["seed"] = seed.ToString() };
        Baseline? distribution = entry.UsesBaselineDistribution ? Baseline.FromImages(torch.rand([6, 1, 8, 8], generator: new Generator(3))) : null;
        switch (entry.Name)
        {
            case "kernel-shap" or "shapley-value-sampling" or "lime" or "feature-ablation": a["feature-mask"] = "grid:2"; break;
            case "partition-shap": a["max-evals"] = "60"; break;
            case "occlusion": a["sliding-window"] = "2,2"; a["strides"] = "2"; break;
            // rectified activations: on this random CNN the weighted pre-ReLU map is ≤ 0 everywhere, so its Score-CAM is all zeros
            case "score-cam": a["layer"] = model.Layers is null ? "layer3.0.relu_1" : "1"; break;
        }
        return Catalogued.Create(entry, model, a, distribution);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Method_GivesShapesTargetsAndDeterminism(string name)
    {
        using var model = Cnn();
        AssertContract(name, model);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Method_GivesShapesTargetsAndDeterminism_OnResNetSmall(string name)
    {
        using var model = ResNet();
        Assert.Null(model.Layers);
        Assert.True(MethodCatalog.CanRun(MethodCatalog.Default.Get(name), model));
        AssertContract(name, model);
    }

    private static void AssertContract(string name, ImageClassifier model)
    {
        var entry = MethodCatalog.Default.Get(name);
        var x = torch.rand([2, 1, 8, 8], generator: new Generator(5));
        var all = Create(entry, model, 1).Attribute(x, TargetSelection.AllClasses);
        Assert.Equal([2, 3, 1, 8, 8], all.Shape);
        Assert.Equal([0, 1, 2, 0, 1, 2], all.Targets);
        Assert.All(all.Values, v => Assert.True(float.IsFinite(v)));
        Assert.Contains(all.Values, v => v != 0);
        Assert.Empty(all.AdditivityFailures());
        var again = Create(entry, model, 1).Attribute(x, TargetSelection.AllClasses);
        Assert.Equal(all.Values, again.Values);
        var one = Create(entry, model, 1).Attribute(x, TargetSelection.PerInput(2, 0));
        Assert.Equal([2, 1, 1, 8, 8], one.Shape);
        Assert.Equal([2, 0], one.Targets);
        if (name != "partition-shap") // Partition SHAP expands the tree jointly for the requested classes, as SHAP does.
        {
            GradientTestModels.Close(all.Map(0, 2).ToArray(), one.Map(0, 0).ToArray(), 1e-5);
            GradientTestModels.Close(all.Map(1, 0).ToArray(), one.Map(1, 0).ToArray(), 1e-5);
        }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Method_RefusesModelsItCannotRun_OrRunsOnABlackBox(string name)
    {
        AssertRefusesOrRuns(name, new BlackBoxModel(Cnn()));
        AssertRefusesOrRuns(name, new BlackBoxModel(ResNet()));
    }

    private static void AssertRefusesOrRuns(string name, BlackBoxModel model)
    {
        var entry = MethodCatalog.Default.Get(name);
        using var blackBox = model;
        if (entry.Requirement == MethodRequirement.Forward)
        {
            var e = Create(entry, blackBox, 0).Attribute(torch.rand(1, 1, 8, 8), TargetSelection.Classes(1));
            Assert.Equal([1, 1, 1, 8, 8], e.Shape);
        }
        else
        {
            Assert.Throws<GlassboxException>(() => MethodCatalog.CheckModel(entry, blackBox));
            Assert.Throws<GlassboxException>(() => Create(entry, blackBox, 0).Attribute(torch.rand(1, 1, 8, 8), TargetSelection.Classes(1)));
        }
    }
}

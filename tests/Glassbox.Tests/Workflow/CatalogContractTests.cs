using Glassbox.Attribution;
using Glassbox.Models;
using Glassbox.Tests.Attribution.Gradient;
using Glassbox.Workflow.Methods;
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

    private static MethodArguments Arguments(MethodEntry entry, int seed)
    {
        var a = new MethodArguments { Seed = seed };
        if (entry.UsesBaselineDistribution)
        {
            var gen = new Generator(3);
            a = a with { Baselines = Baseline.FromImages(torch.rand([6, 1, 8, 8], generator: gen)) };
        }
        return entry.Name switch
        {
            "kernel-shap" or "shapley-value-sampling" or "lime" or "feature-ablation" => a with { FeatureMask = Glassbox.Attribution.FeatureMasks.MaskSource.Grid(2) },
            "partition-shap" => a with { MaxEvals = 60 },
            "occlusion" => a with { SlidingWindow = [2, 2], Strides = [2] },
            "score-cam" => a with { Layer = "1" }, // rectified activations: on this random CNN the weighted pre-ReLU map is ≤ 0 everywhere, so its Score-CAM is all zeros
            _ => a,
        };
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Method_GivesShapesTargetsAndDeterminism(string name)
    {
        var entry = MethodCatalog.Default.Get(name);
        using var model = Cnn();
        var x = torch.rand([2, 1, 8, 8], generator: new Generator(5));
        var all = entry.Create(model, Arguments(entry, 1)).Attribute(x, TargetSelection.AllClasses);
        Assert.Equal([2, 3, 1, 8, 8], all.Shape);
        Assert.Equal([0, 1, 2, 0, 1, 2], all.Targets);
        Assert.All(all.Values, v => Assert.True(float.IsFinite(v)));
        Assert.Contains(all.Values, v => v != 0);
        Assert.Empty(all.AdditivityFailures());
        var again = entry.Create(model, Arguments(entry, 1)).Attribute(x, TargetSelection.AllClasses);
        Assert.Equal(all.Values, again.Values);
        var one = entry.Create(model, Arguments(entry, 1)).Attribute(x, TargetSelection.PerInput(2, 0));
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
        var entry = MethodCatalog.Default.Get(name);
        using var blackBox = new BlackBoxModel(Cnn());
        if (entry.Requirement == MethodRequirement.Forward)
        {
            var e = entry.Create(blackBox, Arguments(entry, 0)).Attribute(torch.rand(1, 1, 8, 8), TargetSelection.Classes(1));
            Assert.Equal([1, 1, 1, 8, 8], e.Shape);
        }
        else
        {
            Assert.Throws<GlassboxException>(() => MethodCatalog.CheckModel(entry, blackBox));
            Assert.Throws<GlassboxException>(() => entry.Create(blackBox, Arguments(entry, 0)).Attribute(torch.rand(1, 1, 8, 8), TargetSelection.Classes(1)));
        }
    }
}

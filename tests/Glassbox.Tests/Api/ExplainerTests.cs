using Glassbox.Attribution;
using Glassbox.Attribution.Gradient;
using Glassbox.Data;
using Glassbox.Models;
using Glassbox.Tests.IO;
using Glassbox.Tests.Training;
using TorchSharp;

namespace Glassbox.Tests.Api;

/// <summary>The <see cref="Explainer"/> facade: the catalog by name or by options record, explain, check, plot.</summary>
public class ExplainerTests
{
    private static (ImageClassifier Model, float[] Pixels) Setup()
    {
        TestSupport.Init();
        torch.manual_seed(3);
        var model = new ImageClassifier(new ModelInfo(Architecture.PooledCnn, 1, 28, 28, MnistFormat.DigitClassNames));
        return (model, SampleData.Test.Pixels.AsSpan(0, 2 * 784).ToArray());
    }

    [Fact]
    public void ByName_AndByOptionsRecord_GiveTheSameMaps_AndTheMethodsOwnCheck()
    {
        var (model, px) = Setup();
        using var _ = model;
        var byName = Explainer.Create(model, "integrated-gradients", new Dictionary<string, string> { ["--n-steps"] = "16" }).Explain(px, 2, TargetSelection.Classes(3));
        var byType = Explainer.Create(model, new IntegratedGradientsOptions(NSteps: 16)).Explain(px, 2, TargetSelection.Classes(3));
        Assert.Equal("integrated-gradients", Explainer.Create(model, new IntegratedGradientsOptions()).Entry.Name);
        Assert.Equal(byName.Values, byType.Values);
        Assert.Equal([2, 1, 1, 28, 28], byName.Shape);
        Assert.Equal(px, byName.Inputs);
        var check = byName.Check();
        Assert.NotNull(check);
        Assert.Equal(2, check.Count);
        Assert.Null(Explainer.Create(model, "saliency").Explain(px, 2).Check()); // saliency makes no completeness promise
    }

    [Fact]
    public void SaveImagePlot_WritesAPng()
    {
        var (model, px) = Setup();
        using var _ = model;
        using var dir = new TempDirectory();
        Explainer.Create(model, "saliency").Explain(px, 2, TargetSelection.Classes(1, 7)).SaveImagePlot(dir.File("p.png"));
        Assert.True(new FileInfo(dir.File("p.png")).Length > 1000);
    }

    [Fact]
    public void UnknownNames_AndForeignRecords_AreOneClearError()
    {
        var (model, _) = Setup();
        using var __ = model;
        Assert.Contains("no-such-method", Assert.Throws<GlassboxException>(() => Explainer.Create(model, "no-such-method")).Message);
        var e = Assert.Throws<GlassboxException>(() => Explainer.Create(model, new ModelInfo(Architecture.PooledCnn, 1, 28, 28, MnistFormat.DigitClassNames)));
        Assert.Contains("ModelInfo is not the options record", e.Message);
        Assert.Contains("integrated-gradients", Explainer.MethodNames);
        Assert.Equal(Glassbox.Attribution.Catalog.MethodCatalog.Default.Entries.Count, Explainer.MethodNames.Count);
    }
}

using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Metrics;
using Glassbox.Metrics.Faithfulness;
using TorchSharp;

namespace Glassbox.Tests.Metrics.Faithfulness;

public class FaithfulnessCatalogTests
{
    private static readonly OptionContext Context = new(new Glassbox.Models.ModelInfo("test", 1, 28, 28, ["a", "b"]), torch.CPU);

    [Fact]
    public void Catalog_ListsTheRemovalMetrics_WithDirectionAndQuantusOptionNames()
    {
        (string Name, bool Higher, string[] References)[] expected =
        [
            ("deletion", false, ["order", "perturb_baseline"]),
            ("insertion", true, ["order", "perturb_baseline"]),
            ("pixel-flipping", false, ["features_in_step", "perturb_baseline", "abs"]),
            ("region-perturbation", true, ["patch_size", "regions_evaluation", "order", "perturb_baseline", "abs"]),
            ("road", false, ["percentages", "noise", "abs"]),
            ("irof", true, ["segmentation_method", "perturb_baseline", "abs"]),
        ];
        foreach (var (name, higher, references) in expected)
        {
            var entry = MetricCatalog.Default.Get(name);
            Assert.Equal(MetricCategory.Faithfulness, entry.Category);
            Assert.Equal(MetricRequirement.Forward, entry.Requirement);
            Assert.Equal(higher, entry.HigherIsBetter);
            Assert.NotNull(entry.Schema);
            Assert.Subset(entry.Schema!.Fields.Select(f => f.Reference).OfType<string>().ToHashSet(), references.ToHashSet());
        }
    }

    [Fact]
    public void Catalog_BindsQuantusDefaults_AndOptionText()
    {
        var pf = Assert.IsType<PixelFlipping>(MetricCatalog.Default.Get("pixel-flipping").Metric);
        Assert.Equal(new PixelFlippingOptions(1, "black", false), pf.Options);
        var rp = Assert.IsType<RegionPerturbation>(MetricCatalog.Default.Get("region-perturbation").Create(
            new Dictionary<string, string> { ["patch-size"] = "4", ["order"] = "lerf", ["regions-evaluation"] = "10" }, Context));
        Assert.Equal((4, "lerf", 10), (rp.Options.PatchSize, rp.Options.Order, rp.Options.RegionsEvaluation));
        Assert.False(rp.HigherIsBetter);
        var irof = Assert.IsType<Irof>(MetricCatalog.Default.Get("irof").Create(new Dictionary<string, string> { ["feature-mask"] = "slic:20", ["perturb-baseline"] = "black" }, Context));
        Assert.Equal(new SlicMask(20, 10), irof.Options.Segments);
        Assert.Equal("black", irof.Options.PerturbBaseline);
        var ins = Assert.IsType<Insertion>(MetricCatalog.Default.Get("insertion").Create(new Dictionary<string, string> { ["perturb-baseline"] = "mean" }, Context));
        Assert.Equal("mean", ins.Options.PerturbBaseline);
        Assert.Contains("perturb-baseline", Assert.Throws<GlassboxException>(() =>
            MetricCatalog.Default.Get("pixel-flipping").Create(new Dictionary<string, string> { ["perturb-baseline"] = "purple" }, Context)).Message);
        Assert.Throws<GlassboxException>(() => MetricCatalog.Default.Get("region-perturbation").Create(new Dictionary<string, string> { ["patch-size"] = "0" }, Context));
    }
}

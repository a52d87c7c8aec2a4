using Glassbox.Attribution.Catalog;
using Glassbox.Metrics;
using Glassbox.Metrics.Faithfulness;
using Glassbox.Models;

namespace Glassbox.Tests.Metrics.Faithfulness;

public class FaithfulnessMetricsBCatalogTests
{
    private static readonly OptionContext Context = new(new ModelInfo("test", 1, 4, 4, ["a", "b"]), TorchSharp.torch.CPU);

    [Theory]
    [InlineData("faithfulness-correlation", true)]
    [InlineData("monotonicity", true)]
    [InlineData("monotonicity-correlation", true)]
    [InlineData("sensitivity-n", true)]
    [InlineData("infidelity", false)]
    public void Catalog_ListsTheMetric_AsAForwardOnlyFaithfulnessMetric(string name, bool higherIsBetter)
    {
        var e = MetricCatalog.Default.Get(name);
        Assert.Equal(MetricCategory.Faithfulness, e.Category);
        Assert.Equal(MetricRequirement.Forward, e.Requirement);
        Assert.Equal(higherIsBetter, e.HigherIsBetter);
        Assert.NotNull(e.Schema);
    }

    [Fact]
    public void Catalog_BindsEachMetricsOptionsByFlag_WithTheReferenceDefaults()
    {
        var catalog = MetricCatalog.Default;
        var fc = (FaithfulnessCorrelation)catalog.Get("faithfulness-correlation").Metric;
        Assert.Equal((100, 224, false, true), (fc.Options.NrRuns, fc.Options.SubsetSize, fc.Options.Absolute, fc.Options.Normalise));
        var inf = (Infidelity)catalog.Get("infidelity").Create(new Dictionary<string, string>
        {
            ["n-perturb-samples"] = "20", ["normalize"] = "true", ["max-examples-per-batch"] = "40", ["noise-std"] = "0.1",
        }, Context);
        Assert.Equal(new InfidelityOptions(NPerturbSamples: 20, Normalize: true, MaxExamplesPerBatch: 40, NoiseStd: 0.1), inf.Options);
        Assert.Equal(new InfidelityOptions(), ((Infidelity)catalog.Get("infidelity").Metric).Options);
        var mc = (MonotonicityCorrelation)catalog.Get("monotonicity-correlation").Create(new Dictionary<string, string> { ["features-in-step"] = "4" }, Context);
        Assert.Equal(4, mc.Options.FeaturesInStep);
        Assert.Equal(100, mc.Options.NrSamples);
        var sn = (SensitivityN)catalog.Get("sensitivity-n").Create(new Dictionary<string, string> { ["n-max-percentage"] = "0.5" }, Context);
        Assert.Equal(0.5, sn.Options.NMaxPercentage);
        Assert.Throws<GlassboxException>(() => catalog.Get("sensitivity-n").Create(new Dictionary<string, string> { ["n-max-percentage"] = "2" }, Context));
        Assert.Throws<GlassboxException>(() => catalog.Get("infidelity").Create(new Dictionary<string, string> { ["n-perturb-samples"] = "0" }, Context));
    }
}

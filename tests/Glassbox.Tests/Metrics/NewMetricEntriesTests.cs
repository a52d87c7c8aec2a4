using Glassbox.Attribution.Catalog;
using Glassbox.Metrics;
using Glassbox.Metrics.Axiomatic;
using Glassbox.Metrics.Complexity;
using Glassbox.Metrics.Localisation;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Tests.Metrics;

/// <summary>The localisation, complexity and axiomatic metrics as the catalog offers them.</summary>
public class NewMetricEntriesTests
{
    [Fact]
    public void Catalog_ListsEachMetric_WithItsContractCategoryAndDirection()
    {
        (string Name, MetricCategory Category, bool Higher, Type Contract, MetricRequirement Needs)[] expected =
        [
            ("pointing-game", MetricCategory.Localisation, true, typeof(ILocalisationMetric), MetricRequirement.None),
            ("relevance-mass-accuracy", MetricCategory.Localisation, true, typeof(ILocalisationMetric), MetricRequirement.None),
            ("relevance-rank-accuracy", MetricCategory.Localisation, true, typeof(ILocalisationMetric), MetricRequirement.None),
            ("top-k-intersection", MetricCategory.Localisation, true, typeof(ILocalisationMetric), MetricRequirement.None),
            ("auc", MetricCategory.Localisation, true, typeof(ILocalisationMetric), MetricRequirement.None),
            ("complexity", MetricCategory.Complexity, false, typeof(IExplanationMetric), MetricRequirement.None),
            ("effective-complexity", MetricCategory.Complexity, false, typeof(IExplanationMetric), MetricRequirement.None),
            ("non-sensitivity", MetricCategory.Axiomatic, false, typeof(IExplanationMetric), MetricRequirement.Forward),
            ("input-invariance", MetricCategory.Axiomatic, true, typeof(IReexplainingMetric), MetricRequirement.Forward),
        ];
        var catalog = MetricCatalog.Default;
        foreach (var (name, category, higher, contract, needs) in expected)
        {
            var e = catalog.Get(name);
            Assert.Equal(category, e.Category);
            Assert.Equal(higher, e.HigherIsBetter);
            Assert.IsAssignableFrom(contract, e.Metric);
            Assert.Equal(needs, e.Requirement);
            Assert.NotNull(e.Schema);
            Assert.NotEmpty(e.Schema!.Fields);
        }
    }

    [Fact]
    public void Entries_BindTheirQuantusParameters_AndKeepTheDefaultsOtherwise()
    {
        var context = new OptionContext(new ModelInfo("test", 1, 4, 4, ["a", "b"]), CPU);
        var catalog = MetricCatalog.Default;
        Assert.Null(((TopKIntersection)catalog.Get("top-k-intersection").Metric).Options.K); // 1000/50176 of the map's pixels
        var topk = (TopKIntersection)catalog.Get("top-k-intersection").Create(new Dictionary<string, string> { ["k"] = "5", ["concept-influence"] = "true" }, context);
        Assert.Equal(new TopKIntersectionOptions(K: 5, ConceptInfluence: true), topk.Options);
        var pg = (PointingGame)catalog.Get("pointing-game").Create(new Dictionary<string, string> { ["weighted"] = "true" }, context);
        Assert.True(pg.Options.Weighted);
        Assert.Equal(1e-5, ((EffectiveComplexity)catalog.Get("effective-complexity").Metric).Options.Eps);
        var ns = (NonSensitivity)catalog.Get("non-sensitivity").Create(new Dictionary<string, string> { ["features-in-step"] = "4", ["perturb-baseline"] = "constant:0.5" }, context);
        Assert.Equal(4, ns.Options.FeaturesInStep);
        Assert.NotNull(ns.Options.PerturbBaseline);
        Assert.Equal(-1, ((InputInvariance)catalog.Get("input-invariance").Metric).Options.InputShift);
        Assert.Throws<GlassboxException>(() => catalog.Get("top-k-intersection").Create(new Dictionary<string, string> { ["k"] = "0" }, context));
    }
}

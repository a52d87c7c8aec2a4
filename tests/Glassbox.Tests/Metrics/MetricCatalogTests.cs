using System.Text.RegularExpressions;
using Glassbox.Attribution;
using Glassbox.Metrics;
using Glassbox.Metrics.Agreement;
using Glassbox.Metrics.Axiomatic;
using Glassbox.Metrics.Faithfulness;
using Glassbox.Models;
using Glassbox.Tests.Attribution.Gradient;
using static Glassbox.Tests.Metrics.MetricTestModels;
using static TorchSharp.torch;

namespace Glassbox.Tests.Metrics;

public class MetricCatalogTests
{
    [Fact]
    public void Default_ListsEveryMetric_WithItsCategoryAndDirection()
    {
        var catalog = MetricCatalog.Default;
        Assert.Subset(catalog.Entries.Select(e => e.Name).ToHashSet(), new HashSet<string>(["completeness", "deletion", "spearman-rank-correlation", "top-fraction-overlap", "sparseness"]));
        Assert.Equal(catalog.Entries.Count, catalog.Entries.Select(e => e.Name).Distinct().Count());
        (string Name, MetricCategory Category, bool Higher, bool Pairwise, MetricRequirement Needs)[] expected =
        [
            ("completeness", MetricCategory.Axiomatic, false, false, MetricRequirement.Forward),
            ("deletion", MetricCategory.Faithfulness, false, false, MetricRequirement.Forward),
            ("spearman-rank-correlation", MetricCategory.Agreement, true, true, MetricRequirement.None),
            ("top-fraction-overlap", MetricCategory.Agreement, true, true, MetricRequirement.None),
            ("sparseness", MetricCategory.Complexity, true, false, MetricRequirement.None),
        ];
        foreach (var (name, category, higher, pairwise, needs) in expected)
        {
            var e = catalog.Get(name);
            Assert.Equal(category, e.Category);
            Assert.Equal(higher, e.HigherIsBetter);
            Assert.Equal(pairwise, e.IsPairwise);
            Assert.Equal(!pairwise, e.Metric is IExplanationMetric);
            Assert.Equal(needs, e.Requirement);
            Assert.Matches(new Regex("^[a-z]+(-[a-z]+)*$"), e.Name);
            Assert.False(string.IsNullOrWhiteSpace(e.Summary));
        }
    }

    [Fact]
    public void Get_IsCaseInsensitive_AndAnUnknownNameListsTheNames()
    {
        var catalog = MetricCatalog.Default;
        Assert.IsType<Deletion>(catalog.Get(" Deletion ").Metric);
        Assert.IsType<Completeness>(catalog.Get("COMPLETENESS").Metric);
        var ex = Assert.Throws<GlassboxException>(() => catalog.Get("no-such-metric"));
        Assert.Contains("Unknown metric 'no-such-metric'", ex.Message);
        Assert.All(catalog.Entries, e => Assert.Contains(e.Name, ex.Message));
        Assert.Throws<ArgumentException>(() => new MetricCatalog([new(new Deletion(), "x"), new(new Deletion(), "y")]));
    }

    [Fact]
    public void EveryEntry_ScoresEveryMap_AndRecordsItsSettings()
    {
        using var model = Linear();
        using var x = Images([1f, 1f, 1f, 1f], [0.5f, 1f, 0f, 1f], [1f, 0.25f, 0.75f, 0f]);
        var rng = new Random(0);
        float[] Map() => Enumerable.Range(0, 4).Select(_ => (float)rng.NextDouble()).ToArray();
        var a = Explain(3, 2, [0, 1, 0, 1, 1, 0], Enumerable.Range(0, 6).Select(_ => Map()).ToArray(), OutputSpace.Logits, method: "A");
        var b = Explain(3, 2, [0, 1, 0, 1, 1, 0], Enumerable.Range(0, 6).Select(_ => Map()).ToArray(), OutputSpace.Logits, method: "B");
        using var masks = tensor(new float[] { 1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1 }, [3, 2, 2]);
        var context = new Glassbox.Attribution.Catalog.OptionContext(model.Info, model.Device);
        foreach (var entry in MetricCatalog.Default.Entries)
        {
            // top-k-intersection runs with k = 2 of the 4 pixels here (its default would take 1).
            var metric = entry.Name == "top-k-intersection" ? entry.Create(new Dictionary<string, string> { ["k"] = "2" }, context) : entry.Metric;
            var r = metric switch
            {
                IExplanationMetric m => m.Evaluate(model, x, a),
                IPairwiseMetric p => p.Evaluate(a, b),
                ILocalisationMetric l => l.Evaluate(a, masks),
                IReexplainingMetric re => re.Evaluate(model, x, a, (m, inputs, t, c) => new Glassbox.Attribution.Gradient.Saliency(m).Attribute(inputs, t, cancel: c)),
                _ => throw new InvalidOperationException(entry.Name),
            };
            Assert.Equal(entry.Name, r.Metric);
            Assert.Equal(6, r.Scores.Length);
            Assert.All(r.Scores, s => Assert.True(double.IsFinite(s), $"{entry.Name}: {s}"));
            Assert.NotNull(r.Settings);
            Assert.EndsWith("Options", r.Settings.GetType().Name);
        }
    }

    [Fact]
    public void CheckModel_RefusesAGradientMetricOnABlackBox_NamingTheMetricsThatWork()
    {
        var catalog = MetricCatalog.Default;
        using var model = new BlackBoxModel(Linear());
        var ex = Assert.Throws<GlassboxException>(() => catalog.CheckModel(new GradientNorm(), model));
        Assert.Contains("gradient-norm needs gradients", ex.Message);
        Assert.All(catalog.Entries.Where(e => e.Requirement != MetricRequirement.Gradients), e => Assert.Contains(e.Name, ex.Message));
        Assert.DoesNotContain("gradient-norm,", ex.Message);
        catalog.CheckModel(new Deletion(), model);
        using var differentiable = Linear();
        catalog.CheckModel(new GradientNorm(), differentiable);
    }

    /// <summary>A metric that needs gradients (none of the built-in ones does yet).</summary>
    private sealed class GradientNorm : IExplanationMetric
    {
        public string Name => "gradient-norm";
        public MetricCategory Category => MetricCategory.Robustness;
        public bool HigherIsBetter => false;
        public MetricRequirement Requirement => MetricRequirement.Gradients;
        public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, CancellationToken cancel = default)
            => new(Name, new double[explanation.Count * explanation.TargetsPerInput], new object());
    }

    public sealed record StepOptions([property: Glassbox.Attribution.Catalog.Option("steps", Min = 1, Max = 1000, Help = "points")] int Steps = 20);

    private sealed class StepMetric(StepOptions? options) : IMetric
    {
        public StepOptions Options { get; } = options ?? new StepOptions();
        public string Name => "step-metric";
        public MetricCategory Category => MetricCategory.Faithfulness;
        public bool HigherIsBetter => false;
        public MetricRequirement Requirement => MetricRequirement.None;
    }

    [Fact]
    public void EntryWithOptions_BindsFlagsThroughTheSchema_AndRefusesUnknownOrOutOfRangeOnes()
    {
        var entry = MetricEntry.Of<StepOptions>(o => new StepMetric(o), "a metric with steps");
        var context = new Glassbox.Attribution.Catalog.OptionContext(new Glassbox.Models.ModelInfo("test", 1, 4, 4, ["a", "b"]), TorchSharp.torch.CPU);
        Assert.Equal(20, ((StepMetric)entry.Metric).Options.Steps);
        Assert.Same(entry.Metric, entry.Create(new Dictionary<string, string>(), context));
        Assert.Equal(50, ((StepMetric)entry.Create(new Dictionary<string, string> { ["steps"] = "50" }, context)).Options.Steps);
        var unknown = Assert.Throws<GlassboxException>(() => entry.Create(new Dictionary<string, string> { ["step"] = "5" }, context));
        Assert.Contains("Its options: steps", unknown.Message);
        Assert.Throws<GlassboxException>(() => entry.Create(new Dictionary<string, string> { ["steps"] = "0" }, context));
        var plain = new MetricEntry(new Glassbox.Metrics.Complexity.Sparseness(), "x");
        Assert.Contains("has no options", Assert.Throws<GlassboxException>(() => plain.Create(new Dictionary<string, string> { ["steps"] = "5" }, context)).Message);
    }

    [Fact]
    public void TheFirstMetrics_HaveOptionSchemas_SoTheirSettingsAreOneFlagAway()
    {
        var catalog = MetricCatalog.Default;
        var context = new Glassbox.Attribution.Catalog.OptionContext(new Glassbox.Models.ModelInfo("test", 1, 4, 4, ["a", "b"]), TorchSharp.torch.CPU);
        IMetric Make(string name, string flag, string value) => catalog.Get(name).Create(new Dictionary<string, string> { [flag] = value }, context);
        Assert.False(((Glassbox.Metrics.Complexity.Sparseness)Make("sparseness", "abs", "false")).Options.Absolute);
        Assert.True(((Glassbox.Metrics.Agreement.SpearmanRankCorrelation)Make("spearman-rank-correlation", "abs", "true")).Options.Absolute);
        Assert.Equal(0.25, ((Glassbox.Metrics.Agreement.TopFractionOverlap)Make("top-fraction-overlap", "fraction", "0.25")).Options.Fraction);
        Assert.Equal(0.01, ((Glassbox.Metrics.Axiomatic.Completeness)Make("completeness", "tolerance", "0.01")).Options.Tolerance);
        Assert.Throws<GlassboxException>(() => Make("top-fraction-overlap", "fraction", "2"));
        Assert.All(catalog.Entries, e => Assert.NotNull(e.Schema));
    }
}

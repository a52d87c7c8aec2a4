using Glassbox.Metrics.Agreement;
using Glassbox.Metrics.Axiomatic;
using Glassbox.Metrics.Complexity;
using Glassbox.Metrics.Faithfulness;
using Glassbox.Metrics.Localisation;
using Glassbox.Metrics.Randomisation;
using Glassbox.Metrics.Robustness;
using Glassbox.Models;

namespace Glassbox.Metrics;

/// <summary>The explanation metrics Glassbox offers, by name, each with its reference defaults.</summary>
public sealed class MetricCatalog
{
    private readonly Dictionary<string, MetricEntry> _entries;

    /// <summary>A catalog of the given entries (names must be unique).</summary>
    public MetricCatalog(IEnumerable<MetricEntry> entries)
    {
        _entries = new Dictionary<string, MetricEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var e in entries)
            if (!_entries.TryAdd(e.Name, e)) throw new ArgumentException($"Metric '{e.Name}' is listed twice.");
    }

    /// <summary>Every built-in metric.</summary>
    public static MetricCatalog Default => new(
        AxiomaticMetrics.Entries
            .Concat(FaithfulnessMetrics.Entries)
            .Concat(FaithfulnessMetricsB.Entries)
            .Concat(ComplexityMetrics.Entries)
            .Concat(AgreementMetrics.Entries)
            .Concat(RobustnessMetrics.Entries)
            .Concat(RandomisationMetrics.Entries)
            .Concat(LocalisationMetrics.Entries));

    /// <summary>All entries, in registration order.</summary>
    public IReadOnlyCollection<MetricEntry> Entries => _entries.Values;

    /// <summary>The entry named <paramref name="name"/>, or a clear error listing the names.</summary>
    public MetricEntry Get(string name)
        => _entries.TryGetValue(name.Trim(), out var e) ? e
            : throw new GlassboxException($"Unknown metric '{name}'. Available: {string.Join(", ", _entries.Keys)}.");

    /// <summary>Throws a clear error, naming the metrics that would work, when <paramref name="model"/> cannot serve <paramref name="metric"/>.</summary>
    public void CheckModel(IMetric metric, IImageModel model)
    {
        if (metric.Requirement != MetricRequirement.Gradients || model.SupportsGradients) return;
        var usable = _entries.Values.Where(e => e.Requirement != MetricRequirement.Gradients).Select(e => e.Name);
        throw new GlassboxException(
            $"{metric.Name} needs gradients, but this {model.Kind} model is a black box. Metrics that work without gradients: {string.Join(", ", usable)}.");
    }
}

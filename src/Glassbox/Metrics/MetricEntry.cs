using Glassbox.Attribution.Catalog;

namespace Glassbox.Metrics;

/// <summary>
/// One metric as the catalog offers it: the metric with its reference defaults, a one-line summary, and — when the
/// metric has an options record marked with <see cref="OptionAttribute"/>s — the schema that builds it from option text
/// (the same schema the attribution methods use, so <c>glassbox evaluate --metric-option deletion.steps=50</c> binds
/// and checks like a method flag).
/// </summary>
public sealed record MetricEntry
{
    private readonly Func<object?, IMetric> _create;

    /// <summary>An entry for a metric without options.</summary>
    public MetricEntry(IMetric metric, string summary)
    {
        Metric = metric;
        Summary = summary;
        _create = _ => metric;
    }

    private MetricEntry(IMetric metric, string summary, OptionSchema schema, Func<object?, IMetric> create)
    {
        Metric = metric;
        Summary = summary;
        Schema = schema;
        _create = create;
    }

    /// <summary>An entry whose metric is built from a <typeparamref name="TOptions"/> record (defaults = the reference's).</summary>
    public static MetricEntry Of<TOptions>(Func<TOptions?, IMetric> create, string summary) where TOptions : class
        => new(create(null), summary, new OptionSchema(typeof(TOptions)), o => create((TOptions?)o));

    /// <summary>The metric at its defaults.</summary>
    public IMetric Metric { get; }
    /// <summary>One line: what it measures and the paper.</summary>
    public string Summary { get; }
    /// <summary>The options schema, or null when the metric has no options.</summary>
    public OptionSchema? Schema { get; }

    /// <summary>The metric's name.</summary>
    public string Name => Metric.Name;
    /// <summary>The question it answers.</summary>
    public MetricCategory Category => Metric.Category;
    /// <summary>True when a larger score is better.</summary>
    public bool HigherIsBetter => Metric.HigherIsBetter;
    /// <summary>What it needs from the model.</summary>
    public MetricRequirement Requirement => Metric.Requirement;
    /// <summary>True when it compares two explanations.</summary>
    public bool IsPairwise => Metric is IPairwiseMetric;

    /// <summary>The metric with the given options (flag without dashes → text); unknown flags are an error listing the metric's flags.</summary>
    public IMetric Create(IReadOnlyDictionary<string, string> optionText, OptionContext context)
    {
        if (optionText.Count == 0) return Metric;
        if (Schema is null)
            throw new GlassboxException($"Metric '{Name}' has no options, but {string.Join(", ", optionText.Keys.Select(k => $"'{k}'"))} was given.");
        var unknown = optionText.Keys.Where(k => !Schema.Has(k)).ToArray();
        if (unknown.Length > 0)
            throw new GlassboxException(
                $"Metric '{Name}' has no option {string.Join(", ", unknown.Select(k => $"'{k}'"))}. Its options: {string.Join(", ", Schema.Fields.Select(f => f.Flag))}.");
        return _create(Schema.Bind(optionText, context));
    }
}

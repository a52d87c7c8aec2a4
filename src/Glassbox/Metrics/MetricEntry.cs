namespace Glassbox.Metrics;

/// <summary>One metric as the catalog offers it: the metric with its reference defaults, and a one-line summary.</summary>
/// <param name="Metric">The metric (an <see cref="IExplanationMetric"/> or an <see cref="IPairwiseMetric"/>).</param>
/// <param name="Summary">One line: what it measures and the paper.</param>
public sealed record MetricEntry(IMetric Metric, string Summary)
{
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
}

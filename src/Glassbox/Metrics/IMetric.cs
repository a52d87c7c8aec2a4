namespace Glassbox.Metrics;

/// <summary>What every explanation metric declares, so that reports and catalogs can treat metrics alike.</summary>
public interface IMetric
{
    /// <summary>The metric's name, as on the command line (kebab-case, e.g. "deletion").</summary>
    string Name { get; }

    /// <summary>The question the metric answers.</summary>
    MetricCategory Category { get; }

    /// <summary>True when a larger score means a better explanation.</summary>
    bool HigherIsBetter { get; }

    /// <summary>What the metric needs from the model.</summary>
    MetricRequirement Requirement { get; }
}

namespace Glassbox.Metrics.Complexity;

/// <summary>The catalog entries of the complexity metrics.</summary>
internal static class ComplexityMetrics
{
    /// <summary>Every complexity metric, with its reference defaults.</summary>
    public static IEnumerable<MetricEntry> Entries =>
    [
        new(new Sparseness(), "Gini index of the map's |attributions|: how few pixels carry the explanation (Chalasani et al. 2020)."),
    ];
}

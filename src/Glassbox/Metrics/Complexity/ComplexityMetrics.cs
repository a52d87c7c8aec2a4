namespace Glassbox.Metrics.Complexity;

/// <summary>The catalog entries of the complexity metrics.</summary>
internal static class ComplexityMetrics
{
    /// <summary>Every complexity metric, with its reference defaults.</summary>
    public static IEnumerable<MetricEntry> Entries =>
    [
        MetricEntry.Of<SparsenessOptions>(o => new Sparseness(o), "Gini index of the map's |attributions|: how few pixels carry the explanation (Chalasani et al. 2020)."),
        MetricEntry.Of<ComplexityOptions>(o => new Complexity(o), "Entropy of the map's fractional |attributions|: lower is simpler (Bhatt et al. 2020)."),
        MetricEntry.Of<EffectiveComplexityOptions>(o => new EffectiveComplexity(o), "Number of pixels whose normalised |attribution| exceeds eps (Nguyen & Martínez 2020)."),
    ];
}

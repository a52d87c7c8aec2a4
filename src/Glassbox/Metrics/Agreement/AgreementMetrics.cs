namespace Glassbox.Metrics.Agreement;

/// <summary>The catalog entries of the agreement metrics (two explanations of the same inputs and targets).</summary>
internal static class AgreementMetrics
{
    /// <summary>Every agreement metric, with its reference defaults.</summary>
    public static IEnumerable<MetricEntry> Entries =>
    [
        MetricEntry.Of<SpearmanRankCorrelationOptions>(o => new SpearmanRankCorrelation(o), "Spearman's ρ between two explanations' maps of the same inputs and targets (Spearman 1904)."),
        MetricEntry.Of<TopFractionOverlapOptions>(o => new TopFractionOverlap(o), "Share of one explanation's top 10 % pixels that are also in the other's top 10 %."),
    ];
}

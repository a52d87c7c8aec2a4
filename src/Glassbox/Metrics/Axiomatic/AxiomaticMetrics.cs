namespace Glassbox.Metrics.Axiomatic;

/// <summary>The catalog entries of the axiomatic metrics.</summary>
internal static class AxiomaticMetrics
{
    /// <summary>Every axiomatic metric, with its reference defaults.</summary>
    public static IEnumerable<MetricEntry> Entries =>
    [
        new(new Completeness(), "|f(x) − f(x′) − Σφ| per map: do the attributions add up to the output change (Sundararajan et al. 2017)."),
    ];
}

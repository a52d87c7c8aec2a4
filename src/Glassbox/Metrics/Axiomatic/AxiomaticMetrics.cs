namespace Glassbox.Metrics.Axiomatic;

/// <summary>The catalog entries of the axiomatic metrics.</summary>
internal static class AxiomaticMetrics
{
    /// <summary>Every axiomatic metric, with its reference defaults.</summary>
    public static IEnumerable<MetricEntry> Entries =>
    [
        MetricEntry.Of<CompletenessOptions>(o => new Completeness(o), "|f(x) − f(x′) − Σφ| per map: do the attributions add up to the output change (Sundararajan et al. 2017)."),
        MetricEntry.Of<NonSensitivityOptions>(o => new NonSensitivity(o), "Features where attribution and model sensitivity disagree (zero vs nonzero): 0 is best (Nguyen & Martínez 2020)."),
        MetricEntry.Of<InputInvarianceOptions>(o => new InputInvariance(o), "1 when the map stays the same for x + m on a model whose first bias absorbs m (Kindermans et al. 2017)."),
    ];
}

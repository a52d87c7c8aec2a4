namespace Glassbox.Metrics.Localisation;

/// <summary>The catalog entries of the localisation metrics (an explanation against masks of the evidence).</summary>
internal static class LocalisationMetrics
{
    /// <summary>Every localisation metric, with its reference defaults.</summary>
    public static IEnumerable<MetricEntry> Entries =>
    [
        MetricEntry.Of<PointingGameOptions>(o => new PointingGame(o), "1 when the map's largest value lies on the evidence, else 0 (Zhang et al. 2018)."),
        MetricEntry.Of<RelevanceMassAccuracyOptions>(o => new RelevanceMassAccuracy(o), "Share of the map's relevance that falls on the evidence (Arras et al. 2022)."),
        MetricEntry.Of<RelevanceRankAccuracyOptions>(o => new RelevanceRankAccuracy(o), "Share of the map's top-|evidence| pixels that lie on the evidence (Arras et al. 2022)."),
        MetricEntry.Of<TopKIntersectionOptions>(o => new TopKIntersection(o), "Share of the map's k highest pixels that lie on the evidence (Theiner et al. 2021)."),
        MetricEntry.Of<AucOptions>(o => new Auc(o), "ROC AUC of the map as a detector of the evidence pixels (Fawcett 2006)."),
    ];
}

namespace Glassbox.Metrics.Randomisation;

/// <summary>The catalog entries of the randomisation metrics (they explain a randomised model or target again).</summary>
internal static class RandomisationMetrics
{
    /// <summary>Every randomisation metric, with its reference defaults.</summary>
    public static IEnumerable<MetricEntry> Entries =>
    [
        MetricEntry.Of<ModelParameterRandomisationOptions>(o => new ModelParameterRandomisation(o), "Similarity of the maps after the layers are re-initialised from the output down (Adebayo et al. 2018)."),
        MetricEntry.Of<RandomLogitOptions>(o => new RandomLogit(o), "Similarity of the map to the map of a random other class (Sixt et al. 2020)."),
    ];
}

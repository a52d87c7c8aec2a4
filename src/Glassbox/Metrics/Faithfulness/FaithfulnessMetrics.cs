namespace Glassbox.Metrics.Faithfulness;

/// <summary>The catalog entries of the faithfulness metrics.</summary>
internal static class FaithfulnessMetrics
{
    /// <summary>Every faithfulness metric, with its reference defaults.</summary>
    public static IEnumerable<MetricEntry> Entries =>
    [
        MetricEntry.Of<DeletionOptions>(o => new Deletion(o), "Area under the explained output as the most important pixels are removed first (Petsiuk et al. 2018)."),
        MetricEntry.Of<InsertionOptions>(o => new Insertion(o), "Area under the explained output as the most important pixels are put back into a blurred image (Petsiuk et al. 2018)."),
    ];
}

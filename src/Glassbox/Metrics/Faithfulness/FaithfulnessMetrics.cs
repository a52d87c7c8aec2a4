namespace Glassbox.Metrics.Faithfulness;

/// <summary>The catalog entries of the faithfulness metrics.</summary>
internal static class FaithfulnessMetrics
{
    /// <summary>Every faithfulness metric, with its reference defaults.</summary>
    public static IEnumerable<MetricEntry> Entries =>
    [
        MetricEntry.Of<DeletionOptions>(o => new Deletion(o), "Area under the explained output as the most important pixels are removed first (Petsiuk et al. 2018)."),
        MetricEntry.Of<InsertionOptions>(o => new Insertion(o), "Area under the explained output as the most important pixels are put back into a blurred image (Petsiuk et al. 2018)."),
        MetricEntry.Of<PixelFlippingOptions>(o => new PixelFlipping(o), "Area under the explained output as pixels are flipped to black, most relevant first (Bach et al. 2015)."),
        MetricEntry.Of<RegionPerturbationOptions>(o => new RegionPerturbation(o), "AOPC: mean output drop as 8×8 regions are perturbed, most relevant first (Samek et al. 2017)."),
        MetricEntry.Of<RoadOptions>(o => new Road(o), "Share of removal levels (1–99 %) at which the class survives noisy linear imputation of the top pixels (Rong et al. 2022)."),
        MetricEntry.Of<IrofOptions>(o => new Irof(o), "Area over the relative output curve as superpixels are replaced by the image mean, most relevant first (Rieger & Hansen 2020)."),
    ];
}

namespace Glassbox.Metrics.Faithfulness;

/// <summary>The catalog entries of the correlation, monotonicity and infidelity faithfulness metrics.</summary>
internal static class FaithfulnessMetricsB
{
    /// <summary>Each metric with its reference defaults.</summary>
    public static IEnumerable<MetricEntry> Entries =>
    [
        MetricEntry.Of<FaithfulnessCorrelationOptions>(o => new FaithfulnessCorrelation(o),
            "Pearson correlation between attributions summed over random subsets and the output drop when removing them (Bhatt et al. 2020)."),
        MetricEntry.Of<MonotonicityOptions>(o => new Monotonicity(o),
            "1 when revealing features from least to most important never lowers the output, else 0 (Arya et al. 2019)."),
        MetricEntry.Of<MonotonicityCorrelationOptions>(o => new MonotonicityCorrelation(o),
            "Spearman correlation between features' attributions and the output variance when randomising them (Nguyen & Rodríguez Martínez 2020)."),
        MetricEntry.Of<SensitivityNOptions>(o => new SensitivityN(o),
            "Mean over subset sizes n of the correlation between subset attribution sums and output drops (Ancona et al. 2018)."),
        MetricEntry.Of<InfidelityOptions>(o => new Infidelity(o),
            "Mean squared error between attributions·perturbation and the output change under Gaussian noise, as Captum (Yeh et al. 2019)."),
    ];
}

namespace Glassbox.Metrics.Robustness;

/// <summary>The catalog entries of the robustness metrics (they explain perturbed copies of the inputs again).</summary>
internal static class RobustnessMetrics
{
    /// <summary>Every robustness metric, with its reference defaults.</summary>
    public static IEnumerable<MetricEntry> Entries =>
    [
        MetricEntry.Of<SensitivityOptions>(o => new MaxSensitivity(o), "Largest relative change of the map under small uniform input noise, as Captum's sensitivity_max (Yeh et al. 2019)."),
        MetricEntry.Of<SensitivityOptions>(o => new AvgSensitivity(o), "Mean relative change of the map under small uniform input noise (Yeh et al. 2019)."),
        MetricEntry.Of<LocalLipschitzEstimateOptions>(o => new LocalLipschitzEstimate(o), "Largest ‖φ(x) − φ(x′)‖ / ‖x − x′‖ under Gaussian input noise (Alvarez-Melis and Jaakkola 2018)."),
        MetricEntry.Of<RelativeStabilityOptions>(o => new RelativeInputStability(o), "Largest relative change of the map per relative change of the input (Agarwal et al. 2022)."),
        MetricEntry.Of<RelativeStabilityOptions>(o => new RelativeOutputStability(o), "Largest relative change of the map per relative change of the logits (Agarwal et al. 2022)."),
        MetricEntry.Of<RelativeRepresentationStabilityOptions>(o => new RelativeRepresentationStability(o), "Largest relative change of the map per relative change of the layers' outputs (Agarwal et al. 2022)."),
    ];
}

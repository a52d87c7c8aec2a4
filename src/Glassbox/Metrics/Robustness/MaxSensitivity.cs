using Glassbox.Attribution;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Robustness;

/// <summary>
/// Max-sensitivity (Yeh et al. 2019, "On the (In)fidelity and Sensitivity of Explanations"), as Captum's
/// <c>sensitivity_max</c>: the largest ‖φ(x) − φ(x′)‖_F / ‖φ(x)‖_F over uniform perturbations x′ in the L∞ ball of
/// radius 0.02 (10 copies). Lower is more robust; 0 when the explanation does not change near x.
/// </summary>
public sealed class MaxSensitivity(SensitivityOptions? options = null) : ISharedWorkMetric
{
    /// <summary>The settings.</summary>
    public SensitivityOptions Options { get; } = options ?? new SensitivityOptions();

    /// <inheritdoc/>
    public string Name => "max-sensitivity";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Robustness;
    /// <inheritdoc/>
    public bool HigherIsBetter => false;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.Forward;

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, ExplainFunction explain, CancellationToken cancel = default)
        => Sensitivity.Evaluate(Name, max: true, Options, model, inputs, explanation, explain, new MetricWorkCache(), cancel);

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, ExplainFunction explain, MetricWorkCache cache,
        CancellationToken cancel = default)
        => Sensitivity.Evaluate(Name, max: true, Options, model, inputs, explanation, explain, cache, cancel);
}

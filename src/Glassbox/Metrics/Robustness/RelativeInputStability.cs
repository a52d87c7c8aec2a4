using Glassbox.Attribution;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Robustness;

/// <summary>
/// Relative input stability (Agarwal et al. 2022, "Rethinking Stability for Attribution-based Explanations"), as Quantus'
/// <c>RelativeInputStability</c>: the largest ‖(φ(x) − φ(x′)) / φ(x)‖₂ / max(‖(x − x′) / x‖₂, ε) over copies
/// x′ = x + U(0.02, 0.2) that keep the predicted class (zeros in the divisors replaced by ε = 1e-6). Lower is more stable.
/// </summary>
public sealed class RelativeInputStability(RelativeStabilityOptions? options = null) : IReexplainingMetric
{
    /// <summary>The settings.</summary>
    public RelativeStabilityOptions Options { get; } = options ?? new RelativeStabilityOptions();

    /// <inheritdoc/>
    public string Name => "relative-input-stability";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Robustness;
    /// <inheritdoc/>
    public bool HigherIsBetter => false;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.Forward;

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, ExplainFunction explain, CancellationToken cancel = default)
        => RelativeStability.Evaluate(Name, RelativeStability.Reference.Input, Options, model, inputs, explanation, explain, cancel);
}

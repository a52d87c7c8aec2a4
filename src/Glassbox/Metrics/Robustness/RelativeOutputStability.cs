using Glassbox.Attribution;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Robustness;

/// <summary>
/// Relative output stability (Agarwal et al. 2022, "Rethinking Stability for Attribution-based Explanations"), as Quantus'
/// <c>RelativeOutputStability</c>: the largest ‖(φ(x) − φ(x′)) / φ(x)‖₂ / max(‖(h(x) − h(x′)) / h(x)‖₂, ε), h the logits, over copies
/// x′ = x + U(0.02, 0.2) that keep the predicted class (zeros in the divisors replaced by ε = 1e-6). Lower is more stable.
/// </summary>
public sealed class RelativeOutputStability(RelativeStabilityOptions? options = null) : IReexplainingMetric
{
    /// <summary>The settings.</summary>
    public RelativeStabilityOptions Options { get; } = options ?? new RelativeStabilityOptions();

    /// <inheritdoc/>
    public string Name => "relative-output-stability";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Robustness;
    /// <inheritdoc/>
    public bool HigherIsBetter => false;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.Forward;

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, ExplainFunction explain, CancellationToken cancel = default)
        => RelativeStability.Evaluate(Name, RelativeStability.Reference.Output, Options, model, inputs, explanation, explain, cancel);
}

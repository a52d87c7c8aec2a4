using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// LRP-z⁺ (Montavon et al. 2017, "Explaining Nonlinear Classification Decisions with Deep Taylor Decomposition"), as
/// Zennit's <c>ZPlus</c>: only the positive contributions <c>w⁺a⁺ + w⁻a⁻</c>, without bias (α1β0 without bias).
/// </summary>
public sealed class ZPlusRule : IBackwardRule
{
    /// <inheritdoc />
    public string Name => "z-plus";

    /// <inheritdoc />
    public Tensor[] Backward(LayerStep step, Tensor signal, object? state)
        => [AlphaBetaRule.Redistribute(WeightedLayer.Of(step.Module), step.Input, signal, 1, 0, withBias: false)];
}

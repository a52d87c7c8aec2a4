using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// Guided backpropagation's ReLU (Springenberg et al. 2015, "Striving for Simplicity: The All Convolutional Net"):
/// the ordinary ReLU gradient with negative values then set to zero.
/// </summary>
public sealed class GuidedReluRule : IBackwardRule
{
    /// <inheritdoc />
    public string Name => "guided";

    /// <inheritdoc />
    public Tensor[] Backward(LayerStep step, Tensor signal, object? state)
        => [(signal * (step.Input > 0).to_type(signal.dtype)).clamp_min(0)];
}

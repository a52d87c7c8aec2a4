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
    {
        var mask = (step.Input > 0).to_type(signal.dtype);
        // The mask's buffer holds the result when the signal has the input's shape (no broadcast to more rows).
        return [(mask.shape.SequenceEqual(signal.shape) ? mask.mul_(signal) : signal * mask).clamp_min_(0)];
    }
}

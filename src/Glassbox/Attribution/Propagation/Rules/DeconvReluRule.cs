using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// Deconvolution's ReLU (Zeiler and Fergus 2014, "Visualizing and Understanding Convolutional Networks"): a ReLU of
/// the incoming gradient; the forward activation is ignored.
/// </summary>
public sealed class DeconvReluRule : IBackwardRule
{
    /// <inheritdoc />
    public string Name => "deconvolution";

    /// <inheritdoc />
    public Tensor[] Backward(LayerStep step, Tensor signal, object? state) => [signal.clamp_min(0)];
}

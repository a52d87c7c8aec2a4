using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>Passes the signal through unchanged (Zennit's <c>Pass</c>): LRP's rule for activations, dropout and identity.</summary>
public sealed class PassRule : IBackwardRule
{
    /// <inheritdoc />
    public string Name => "pass";

    /// <inheritdoc />
    public Tensor[] Backward(LayerStep step, Tensor signal, object? state) => [signal];
}

using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// LRP-w² (Montavon et al. 2017, deep Taylor decomposition for unbounded inputs): <c>R_j = Σ_k w_jk² R_k / Σ_j' w_j'k²</c>,
/// independent of the input; as Zennit's <c>WSquare</c>, the squared bias joins the denominator.
/// </summary>
public sealed class WSquareRule : IBackwardRule
{
    /// <inheritdoc />
    public string Name => "w-square";

    /// <inheritdoc />
    public Tensor[] Backward(LayerStep step, Tensor signal, object? state)
    {
        var layer = WeightedLayer.Of(step.Module);
        var a = step.Input;
        var w2 = layer.Weight.square();
        var z = layer.Forward(torch.ones_like(a), w2, layer.Bias?.square());
        return [layer.Transpose(signal / PropagationMath.Stabilize(z, PropagationMath.MinStabilizer), w2, a.shape)];
    }
}

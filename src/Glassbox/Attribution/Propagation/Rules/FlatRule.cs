using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// LRP flat (Lapuschkin et al. 2019, "Unmasking Clever Hans Predictors"): relevance spread evenly over each output's
/// receptive field, as if inputs and weights were all one (no bias). Used for the first layer.
/// </summary>
public sealed class FlatRule : IBackwardRule
{
    /// <inheritdoc />
    public string Name => "flat";

    /// <inheritdoc />
    public Tensor[] Backward(LayerStep step, Tensor signal, object? state)
    {
        var layer = WeightedLayer.Of(step.Module);
        var a = step.Input;
        var ones = torch.ones_like(layer.Weight);
        var z = layer.Forward(torch.ones_like(a), ones, null);
        return [layer.Transpose(signal / PropagationMath.Stabilize(z, PropagationMath.MinStabilizer), ones, a.shape)];
    }
}

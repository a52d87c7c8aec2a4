using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// A product of two activations (ONNX <c>Mul</c>, e.g. the channel gate of a squeeze-and-excitation block, Hu et al.
/// 2018). With a reference (DeepLIFT, DeepSHAP) it uses the Shapley split of the product's change,
/// <c>Δ(ab) = ½·Δa·(b + b_r) + ½·Δb·(a + a_r)</c> (both orders of switching a and b from reference to input,
/// averaged), so the multipliers <c>½(b + b_r)</c> and <c>½(a + a_r)</c> keep <c>Σ m·Δ</c> exact and treat the two
/// factors alike. Without a reference it is the gradient (<c>b</c> and <c>a</c>). Broadcast dimensions are summed.
/// </summary>
public sealed class ProductRule : IBackwardRule
{
    /// <inheritdoc />
    public string Name => "product";

    /// <inheritdoc />
    public Tensor[] Backward(LayerStep step, Tensor signal, object? state)
    {
        var g = PropagationMath.Expand(signal, step.Pairs, step.Output.shape);
        Tensor a = step.Inputs[0], b = step.Inputs[1];
        if (step.ReferenceInputs is { } refs)
        {
            var (ax, ar) = PropagationMath.Pair(a, refs[0], step.Aligned);
            var (bx, br) = PropagationMath.Pair(b, refs[1], step.Aligned);
            a = (ax + ar) * 0.5;
            b = (bx + br) * 0.5;
        }
        long rows = g.shape[0];
        return [PropagationMath.SumTo(g * b, PropagationMath.WithRows(rows, step.Inputs[0].shape)),
                PropagationMath.SumTo(g * a, PropagationMath.WithRows(rows, step.Inputs[1].shape))];
    }
}

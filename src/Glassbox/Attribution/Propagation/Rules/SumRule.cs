using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// A sum or difference of two activations (a residual connection, ONNX <c>Add</c>/<c>Sub</c>): the signal passes to
/// both branches unchanged (negated for a subtracted one), summed over broadcast dimensions. This is the exact
/// gradient, and DeepLIFT's multiplier of a linear node (Shrikumar et al. 2017), so <c>Σ m·Δ</c> is kept over both
/// branches.
/// </summary>
public sealed class SumRule : IBackwardRule
{
    /// <inheritdoc />
    public string Name => "sum";

    /// <inheritdoc />
    public Tensor[] Backward(LayerStep step, Tensor signal, object? state)
    {
        var g = PropagationMath.Expand(signal, step.Pairs, step.Output.shape);
        bool subtract = step.Module is GraphOp { Node.OpType: "Sub" };
        return step.Inputs.Select((input, k) =>
        {
            var part = PropagationMath.SumTo(g, PropagationMath.WithRows(g.shape[0], input.shape));
            return subtract && k == 1 ? -part : part;
        }).ToArray();
    }
}

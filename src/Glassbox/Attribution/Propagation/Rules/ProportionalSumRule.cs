using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// LRP at a sum of activations (a residual connection), as Zennit treats the summation of its ResNet canonizer with
/// the <c>Norm</c> rule: each branch gets relevance in proportion to its contribution to the sum,
/// <c>R_k = z_k / (z + ε·sign z) · R</c> with <c>z_k</c> the branch's (signed) term, so relevance is conserved up to ε.
/// </summary>
/// <param name="epsilon">The stabiliser ε.</param>
public sealed class ProportionalSumRule(double epsilon) : IBackwardRule
{
    /// <summary>The stabiliser.</summary>
    public double Epsilon { get; } = epsilon;

    /// <inheritdoc />
    public string Name => "proportional-sum";

    /// <inheritdoc />
    public Tensor[] Backward(LayerStep step, Tensor signal, object? state)
    {
        var s = PropagationMath.Expand(signal, step.Pairs, step.Output.shape) / PropagationMath.Stabilize(step.Output, Epsilon);
        bool subtract = step.Module is GraphOp { Node.OpType: "Sub" };
        return step.Inputs.Select((input, k) =>
        {
            var term = subtract && k == 1 ? -input : input;
            return PropagationMath.SumTo(term * s, PropagationMath.WithRows(s.shape[0], input.shape));
        }).ToArray();
    }
}

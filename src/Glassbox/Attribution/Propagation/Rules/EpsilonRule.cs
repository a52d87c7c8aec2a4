using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// LRP-ε (Bach et al. 2015; Montavon et al. 2019): <c>R_j = a_j Σ_k (∂z_k/∂a_j) R_k / (z_k + ε·sign(z_k))</c> with z
/// the layer's output, bias included; ε → 0 is LRP-0 (gradient × input on bias-free ReLU networks). On layers
/// without weights (average pooling, batch norm) it is Zennit's <c>Norm</c> with this ε.
/// </summary>
/// <param name="epsilon">The stabiliser ε (at least 1e-9 is used).</param>
public sealed class EpsilonRule(double epsilon) : IBackwardRule
{
    /// <summary>The stabiliser.</summary>
    public double Epsilon { get; } = epsilon;

    /// <inheritdoc />
    public string Name => "epsilon";

    /// <inheritdoc />
    public object? Prepare(LayerStep step) => PropagationMath.Stabilize(step.Output, Epsilon);

    /// <inheritdoc />
    public Tensor[] Backward(LayerStep step, Tensor signal, object? state)
    {
        var back = GradientRule.Apply(step, signal / (Tensor)(state ?? Prepare(step)!));
        // The quotient is a fresh tensor, so a gradient of the input's shape may take the product in place.
        return [back.shape.SequenceEqual(step.Input.shape) && back.dtype == step.Input.dtype && back.is_contiguous()
            ? back.mul_(step.Input) : step.Input * back];
    }
}

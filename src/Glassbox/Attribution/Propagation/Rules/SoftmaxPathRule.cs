using Glassbox.Attribution.Approximation;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// Softmax between an input and a reference: the Jacobian averaged along the straight line between their logits
/// (Aumann–Shapley), <c>J̄ = ∫₀¹ J_softmax(z_r + α(z_x − z_r)) dα</c> by Gauss–Legendre quadrature in float64, so
/// <c>J̄·Δz = Δp</c> up to quadrature and DeepLIFT stays complete through a softmax.
/// </summary>
/// <param name="nodes">Quadrature nodes.</param>
public sealed class SoftmaxPathRule(int nodes = 64) : IBackwardRule
{
    /// <summary>Gauss–Legendre nodes.</summary>
    public int Nodes { get; } = nodes;

    /// <inheritdoc />
    public string Name => "softmax-path";

    /// <summary>The path Jacobians of the step's pairs (one K×K per softmax, over the last axis: P×K×K for N×K logits).</summary>
    public object? Prepare(LayerStep step)
    {
        var (zx, zr) = PropagationMath.Pair(step.Input, step.ReferenceInput, step.Aligned);
        long k = zx.shape[^1];
        return PathJacobian(zx.reshape(-1, k), zr.reshape(-1, k), Nodes);
    }

    /// <inheritdoc />
    public Tensor[] Backward(LayerStep step, Tensor signal, object? state)
    {
        var jac = (Tensor)(state ?? Prepare(step)!);
        var g = PropagationMath.Expand(signal, step.Pairs, step.Output.shape);
        long k = g.shape[^1];
        var m = g.to_type(ScalarType.Float64).reshape(-1, 1, k).matmul(jac).reshape(g.shape);
        return [m.to_type(step.Input.dtype)];
    }

    /// <summary>∫₀¹ J_softmax(z_r + α(z_x − z_r)) dα for P aligned pairs of P×K logits, in float64 (P×K×K).</summary>
    public static Tensor PathJacobian(Tensor zx, Tensor zr, int nodes)
    {
        var (alphas, weights) = GaussLegendre.UnitInterval(nodes);
        long classes = zx.shape[1];
        var start = zr.to_type(ScalarType.Float64);
        var dz = zx.to_type(ScalarType.Float64) - start;
        var acc = torch.zeros([zx.shape[0], classes, classes], dtype: ScalarType.Float64, device: zx.device);
        var eye = torch.eye(classes, dtype: ScalarType.Float64, device: zx.device);
        for (int q = 0; q < alphas.Length; q++)
        {
            var p = nn.functional.softmax(start + alphas[q] * dz, -1);
            acc.add_((p.unsqueeze(-1) * eye - p.unsqueeze(-1) * p.unsqueeze(-2)) * weights[q]);
        }
        return acc;
    }
}

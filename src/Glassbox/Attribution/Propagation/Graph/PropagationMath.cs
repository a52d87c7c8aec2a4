using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// Tensor algebra shared by the backward rules: pairing inputs with references, transposed convolutions, the
/// stabilised division of LRP, and autograd's vector–Jacobian product for layers without a closed form.
/// </summary>
internal static class PropagationMath
{
    /// <summary>The smallest stabiliser used in a division (also LRP-0's).</summary>
    public const double MinStabilizer = 1e-9;

    /// <summary><c>z + ε·sign(z)</c> with sign(0) = +1 and ε at least <see cref="MinStabilizer"/>, so no division by zero.</summary>
    public static Tensor Stabilize(Tensor z, double epsilon)
    {
        double e = Math.Max(epsilon, MinStabilizer);
        // ±e as 2e·[z ≥ 0] − e (exact: 2e − e = e), then + z: the same values as where(z ≥ 0, z + e, z − e) in three
        // in-place passes; libtorch's where is several times slower than these on CPU.
        return (z >= 0).to_type(z.dtype).mul_(2 * e).sub_(e).add_(z);
    }

    /// <summary>
    /// A gradient of one row (shared by every pair) or of P rows, as P rows of <paramref name="activationShape"/>.
    /// </summary>
    public static Tensor Expand(Tensor g, long pairs, long[] activationShape)
    {
        var target = WithRows(pairs, activationShape);
        return g.shape[0] == pairs ? g.reshape(target) : g.reshape(WithRows(1, activationShape)).expand(target);
    }

    /// <summary>
    /// Rows of the P pairs: aligned pairs (input i with reference i, P = n) or every input with every reference
    /// (pair i·B + b, P = n·B).
    /// </summary>
    public static (Tensor X, Tensor R) Pair(Tensor x, Tensor r, bool aligned)
    {
        if (aligned) return (x, r);
        long n = x.shape[0], b = r.shape[0];
        var repeats = new long[r.dim()];
        Array.Fill(repeats, 1L);
        repeats[0] = n;
        return (x.repeat_interleave(b, 0), r.repeat(repeats));
    }

    /// <summary>The vector–Jacobian product gᵀ·∂layer/∂z at <paramref name="at"/> (the gradient of the layer).</summary>
    public static Tensor Vjp(nn.Module<Tensor, Tensor> layer, Tensor at, Tensor g)
    {
        using var enable = torch.enable_grad();
        var z = at.detach().requires_grad_(true);
        var y = layer.forward(z);
        return torch.autograd.grad([y], [z], [g.expand_as(y)])[0].detach();
    }

    /// <summary>The vector–Jacobian products gᵀ·∂node/∂input_k of a graph node at <paramref name="inputs"/>, one per input.</summary>
    public static Tensor[] Vjp(GraphOp node, IReadOnlyList<Tensor> inputs, Tensor g)
    {
        using var enable = torch.enable_grad();
        var z = inputs.Select(t => t.detach().requires_grad_(true)).ToArray();
        var y = node.Forward(z);
        return torch.autograd.grad([y], z, [g.expand_as(y)], allow_unused: true)
            .Select((d, k) => d is null || d.IsInvalid ? torch.zeros_like(z[k]) : d.detach()).ToArray();
    }

    /// <summary>f′ of an element-wise layer at <paramref name="at"/>.</summary>
    public static Tensor Derivative(nn.Module<Tensor, Tensor> layer, Tensor at)
    {
        // ReLU's derivative in closed form (1 where the input is positive, as autograd's), without a traced pass.
        if (layer is TorchSharp.Modules.ReLU) return (at > 0).to_type(at.dtype);
        using var enable = torch.enable_grad();
        var z = at.detach().requires_grad_(true);
        var y = layer.forward(z);
        return torch.autograd.grad([y.sum()], [z])[0].detach();
    }

    /// <summary>
    /// The transposed (adjoint) operation of a Conv2d with <paramref name="weight"/>: maps a gradient at the output
    /// (P×K×h×w) to the input of shape <paramref name="inShape"/> (first dimension replaced by P).
    /// </summary>
    public static Tensor ConvTranspose(TorchSharp.Modules.Conv2d conv, Tensor weight, Tensor g, long[] inShape)
    {
        long[] padding = conv.padding ?? [0, 0];
        var outPad = new long[2];
        for (int d = 0; d < 2; d++)
        {
            long o = g.shape[2 + d], inSize = inShape[2 + d];
            outPad[d] = inSize - ((o - 1) * conv.stride[d] - 2 * padding[d] + conv.dilation[d] * (conv.kernel_size[d] - 1) + 1);
        }
        return nn.functional.conv_transpose2d(g, weight, null, conv.stride, padding, outPad, conv.dilation, conv.groups);
    }

    /// <summary>
    /// <paramref name="g"/> summed over the dimensions along which an operand of <paramref name="shape"/> was broadcast
    /// (the gradient of broadcasting), rows included.
    /// </summary>
    public static Tensor SumTo(Tensor g, long[] shape)
    {
        var t = g;
        int extra = (int)t.dim() - shape.Length;
        if (extra > 0) t = t.sum(Enumerable.Range(0, extra).Select(i => (long)i).ToArray());
        var dims = Enumerable.Range(0, shape.Length).Where(d => shape[d] == 1 && t.shape[d] != 1).Select(d => (long)d).ToArray();
        return dims.Length > 0 ? t.sum(dims, keepdim: true) : t;
    }

    /// <summary>A shape with its first dimension replaced.</summary>
    public static long[] WithRows(long rows, long[] shape)
    {
        var s = (long[])shape.Clone();
        s[0] = rows;
        return s;
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// SHAP's DeepExplainer rule for max-pooling (Lundberg and Lee 2017): the output difference <c>y − y_r</c> splits into
/// <c>max(y, y_r) − y_r</c>, credited at the input's winner, and <c>y − max(y, y_r)</c>, credited at the reference's;
/// dividing by <c>x − r</c> turns these into multipliers, so <c>Σ m·(x − r) = y − y_r</c> exactly. Where
/// <c>|x − r| &lt; 1e-7</c> the multiplier is zero (SHAP's choice; <see cref="CaptumMaxPoolRule"/> keeps the gradient).
/// </summary>
public sealed class CrossMaxRule : IBackwardRule
{
    private const double Threshold = 1e-7;

    /// <inheritdoc />
    public string Name => "cross-max";

    /// <inheritdoc />
    public Tensor[] Backward(LayerStep step, Tensor signal, object? state)
    {
        var (acc, dIn, _) = Split(step, signal);
        var small = dIn.abs() < Threshold;
        var safe = torch.where(small, torch.ones_like(dIn), dIn);
        return [torch.where(small, torch.zeros_like(acc), acc / safe).reshape(dIn.shape)];
    }

    /// <summary>
    /// The cross-max split of <c>g·(y − y_r)</c> scattered to the winners (P×C×H×W), the pairs' <c>x − r</c> and the
    /// plain gradient (<c>g</c> routed to the input's winners), shared with <see cref="CaptumMaxPoolRule"/>.
    /// </summary>
    internal static (Tensor Split, Tensor DeltaIn, Tensor Gradient) Split(LayerStep step, Tensor signal)
    {
        var pool = (TorchSharp.Modules.MaxPool2d)step.Module;
        bool aligned = step.Aligned;
        Tensor xin = step.Input, rin = step.ReferenceInput;
        var g = PropagationMath.Expand(signal, step.Pairs, step.Output.shape);
        var stride = pool.stride ?? pool.kernel_size;
        var (_, ix) = nn.functional.max_pool2d_with_indices(xin, pool.kernel_size, stride, pool.padding, pool.dilation, pool.ceil_mode);
        var (_, ir) = nn.functional.max_pool2d_with_indices(rin, pool.kernel_size, stride, pool.padding, pool.dilation, pool.ceil_mode);
        var (idxX, idxR) = PropagationMath.Pair(ix, ir, aligned);
        var (y, yr) = PropagationMath.Pair(step.Output, step.ReferenceOutput!, aligned);
        var (xp, rp) = PropagationMath.Pair(xin, rin, aligned);
        long pairs = y.shape[0], c = xin.shape[1], h = xin.shape[2], w = xin.shape[3];
        var cross = torch.maximum(y, yr);
        var gx = (g * (cross - yr)).flatten(2);
        var gr = (g * (y - cross)).flatten(2);
        var acc = torch.zeros([pairs, c, h * w], dtype: g.dtype, device: g.device);
        acc.scatter_add_(2, idxX.flatten(2), gx);
        acc.scatter_add_(2, idxR.flatten(2), gr);
        var plain = torch.zeros([pairs, c, h * w], dtype: g.dtype, device: g.device);
        plain.scatter_add_(2, idxX.flatten(2), g.flatten(2));
        long[] shape = [pairs, c, h, w];
        return (acc.reshape(shape), (xp - rp).reshape(shape), plain.reshape(shape));
    }
}

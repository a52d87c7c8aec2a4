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
        bool aligned = step.Aligned;
        Tensor xin = step.Input, rin = step.ReferenceInput;
        long height = xin.shape[2], width = xin.shape[3];
        long[] kernel, stride, padding, dilation;
        bool ceil;
        long top = 0, left = 0;
        switch (step.Module)
        {
            case TorchSharp.Modules.MaxPool2d pool:
                (kernel, stride, padding, dilation, ceil) = (pool.kernel_size, pool.stride ?? pool.kernel_size, pool.padding ?? [0, 0], pool.dilation ?? [1, 1], pool.ceil_mode);
                break;
            case GraphOp { Kind: GraphOpKind.MaxPool } op:
            {
                // An ONNX MaxPool with padding MaxPool2d cannot express (e.g. SAME_UPPER): pad with −∞, pool, crop back.
                var a = op.Node.Attributes;
                long[] pads = (long[])a["pads"];
                (kernel, stride, padding, dilation, ceil) = ((long[])a["kernel_shape"], (long[])a["strides"], [0, 0], (long[])a["dilations"], false);
                (top, left) = (pads[0], pads[1]);
                long[] torchPads = [pads[1], pads[3], pads[0], pads[2]];
                xin = nn.functional.pad(xin, torchPads, PaddingModes.Constant, double.NegativeInfinity);
                rin = nn.functional.pad(rin, torchPads, PaddingModes.Constant, double.NegativeInfinity);
                break;
            }
            default:
                throw new GlassboxException($"The cross-max rule applies to max-pooling, not {step.Module.GetType().Name}.");
        }
        var g = PropagationMath.Expand(signal, step.Pairs, step.Output.shape);
        var (_, ix) = nn.functional.max_pool2d_with_indices(xin, kernel, stride, padding, dilation, ceil);
        var (_, ir) = nn.functional.max_pool2d_with_indices(rin, kernel, stride, padding, dilation, ceil);
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
        Tensor Crop(Tensor t) => t.reshape(shape).narrow(2, top, height).narrow(3, left, width);
        return (Crop(acc), Crop(xp - rp), Crop(plain));
    }
}

using Glassbox.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// DeepLIFT's rescale rule (Shrikumar et al. 2017, "Learning Important Features Through Propagating Activation
/// Differences") as a modified backward pass over a sequential classifier, for many (input, reference) pairs at
/// once. Linear layers (convolution, dense, flatten, the input normalisation) pass gradients exactly; each ReLU
/// multiplies by <c>(f(x) − f(r)) / (x − r)</c>, or by f′(x) where <c>|x − r| &lt; 1e-6</c>, as SHAP's DeepExplainer
/// does; max-pooling uses SHAP's cross-max rule, which keeps completeness. The sum of
/// <c>multiplier · (x − r)</c> over the input equals <c>f(x) − f(r)</c> for every pair.
/// </summary>
public sealed class RescaleRule
{
    private const double FallbackThreshold = 1e-6;
    private const double PoolThreshold = 1e-7;
    private readonly IImageModel _model;
    private readonly IReadOnlyList<nn.Module<Tensor, Tensor>> _layers;

    /// <summary>Checks that every layer has a rule; throws a <see cref="GlassboxException"/> naming the first that has none.</summary>
    public RescaleRule(IImageModel model)
    {
        _model = model;
        _layers = ModelCapabilities.RequireLayers(model, "DeepLIFT");
        var seen = new HashSet<nn.Module>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < _layers.Count; i++)
        {
            var layer = _layers[i];
            if (!seen.Add(layer))
                throw new GlassboxException($"Layer {i} ({layer.GetType().Name}) is used twice in the model; DeepLIFT needs each module once. Give each use its own module.");
            switch (layer)
            {
                case Conv2d c when c.padding_mode != PaddingModes.Zeros || (c.padding is null && c.padding_type == Padding.Same):
                    throw new GlassboxException($"Layer {i} (Conv2d) uses padding mode {c.padding_mode} {c.padding_type}; the rescale rule supports explicit zero padding only.");
                case Conv2d or Linear or Flatten or ReLU or MaxPool2d or Dropout or Identity:
                    break;
                default:
                    throw new GlassboxException(
                        $"Layer {i} ({layer.GetType().Name}) has no DeepLIFT rule. Supported: Conv2d, Linear, Flatten, ReLU, MaxPool2d, Dropout (evaluation mode).");
            }
        }
    }

    /// <summary>The activations entering each layer (index i) and the logits (last), for a batch of pixels, without gradients.</summary>
    public Tensor[] Trace(Tensor pixels)
    {
        using var noGrad = torch.no_grad();
        var acts = new Tensor[_layers.Count + 1];
        acts[0] = _model.Preprocess(pixels);
        for (int i = 0; i < _layers.Count; i++) acts[i + 1] = _layers[i].forward(acts[i]);
        return acts;
    }

    /// <summary>Per-layer multipliers for the pairs (input i, reference b), i·B+b, reused across output classes.</summary>
    public Tensor?[] Multipliers(Tensor[] x, Tensor[] r)
    {
        long n = x[0].shape[0], b = r[0].shape[0];
        var result = new Tensor?[_layers.Count];
        for (int i = 0; i < _layers.Count; i++)
        {
            if (_layers[i] is ReLU)
            {
                var xin = x[i].unsqueeze(1); var rin = r[i].unsqueeze(0);
                var dIn = xin - rin;
                var dOut = x[i + 1].unsqueeze(1) - r[i + 1].unsqueeze(0);
                var slope = (xin > 0).to_type(xin.dtype).expand_as(dIn);
                var m = torch.where(dIn.abs() < FallbackThreshold, slope, dOut / dIn);
                result[i] = m.reshape(PairShape(n * b, x[i].shape));
            }
        }
        return result;
    }

    /// <summary>
    /// Propagates <paramref name="outputGradient"/> (1×K or P×K at the logits) back to the pixels for the pairs,
    /// returning P×C×H×W multipliers with respect to the pixels.
    /// </summary>
    public Tensor Backward(Tensor outputGradient, Tensor[] x, Tensor[] r, Tensor?[] multipliers)
    {
        using var noGrad = torch.no_grad();
        long n = x[0].shape[0], b = r[0].shape[0], pairs = n * b;
        Tensor g = outputGradient;
        for (int i = _layers.Count - 1; i >= 0; i--)
        {
            var layer = _layers[i];
            long[] inShape = x[i].shape;
            switch (layer)
            {
                case Linear lin:
                    g = g.matmul(lin.weight!);
                    break;
                case Conv2d conv:
                {
                    g = Expand(g, pairs, x[i + 1].shape);
                    long[] padding = conv.padding ?? [0, 0];
                    var outPad = new long[2];
                    for (int d = 0; d < 2; d++)
                    {
                        long o = x[i + 1].shape[2 + d], inSize = inShape[2 + d];
                        outPad[d] = inSize - ((o - 1) * conv.stride[d] - 2 * padding[d] + conv.dilation[d] * (conv.kernel_size[d] - 1) + 1);
                    }
                    g = nn.functional.conv_transpose2d(g, conv.weight!, null, conv.stride, padding, outPad, conv.dilation, conv.groups);
                    break;
                }
                case Flatten:
                    g = g.reshape(PairShape(g.shape[0], inShape));
                    break;
                case ReLU:
                    g = g * multipliers[i]!;
                    break;
                case MaxPool2d pool:
                    g = MaxPoolBackward(Expand(g, pairs, x[i + 1].shape), pool, x[i], r[i], x[i + 1], r[i + 1]);
                    break;
                default: // Dropout in evaluation mode, Identity
                    break;
            }
        }
        g = Expand(g, pairs, x[0].shape);
        if (_model.Info.Std is float[] std)
            g = g / torch.tensor(std, [1, std.Length, 1, 1], device: g.device);
        return g;
    }

    // SHAP's cross-max rule: the output difference y − y_r splits into (max(y, y_r) − y_r), credited at x's argmax,
    // and (y − max(y, y_r)), credited at r's argmax; dividing by (x − r) turns these into multipliers.
    private static Tensor MaxPoolBackward(Tensor g, MaxPool2d pool, Tensor xin, Tensor rin, Tensor xout, Tensor rout)
    {
        long n = xin.shape[0], b = rin.shape[0], pairs = n * b;
        var (_, ix) = nn.functional.max_pool2d_with_indices(xin, pool.kernel_size, pool.stride ?? pool.kernel_size, pool.padding, pool.dilation, pool.ceil_mode);
        var (_, ir) = nn.functional.max_pool2d_with_indices(rin, pool.kernel_size, pool.stride ?? pool.kernel_size, pool.padding, pool.dilation, pool.ceil_mode);
        var y = xout.unsqueeze(1); var yr = rout.unsqueeze(0);
        var cross = torch.maximum(y, yr);
        var gx = (g.reshape(PairShape(n * b, xout.shape)) * (cross - yr).reshape(PairShape(pairs, xout.shape))).flatten(2);
        var gr = (g.reshape(PairShape(n * b, xout.shape)) * (y - cross).reshape(PairShape(pairs, xout.shape))).flatten(2);
        var idxX = ix.repeat_interleave(b, 0).flatten(2);
        var idxR = ir.repeat(n, 1, 1, 1).flatten(2);
        long c = xin.shape[1], h = xin.shape[2], w = xin.shape[3];
        var acc = torch.zeros([pairs, c, h * w], dtype: g.dtype, device: g.device);
        acc.scatter_add_(2, idxX, gx);
        acc.scatter_add_(2, idxR, gr);
        var dIn = (xin.unsqueeze(1) - rin.unsqueeze(0)).reshape(pairs, c, h * w);
        var safe = torch.where(dIn.abs() < PoolThreshold, torch.ones_like(dIn), dIn);
        return torch.where(dIn.abs() < PoolThreshold, torch.zeros_like(acc), acc / safe).reshape(pairs, c, h, w);
    }

    private static Tensor Expand(Tensor g, long pairs, long[] activationShape)
    {
        var target = PairShape(pairs, activationShape);
        return g.shape[0] == pairs ? g.reshape(target) : g.reshape(PairShape(1, activationShape)).expand(target);
    }

    private static long[] PairShape(long pairs, long[] activationShape)
    {
        var s = (long[])activationShape.Clone();
        s[0] = pairs;
        return s;
    }
}

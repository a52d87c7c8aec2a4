using Glassbox.Attribution.Approximation;
using Glassbox.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// DeepLIFT's rescale rule (Shrikumar et al. 2017, "Learning Important Features Through Propagating Activation
/// Differences") as a modified backward pass over a sequential classifier, for many (input, reference) pairs at
/// once. Linear layers (convolution, dense, flatten, average pooling, batch norm and dropout in evaluation mode, the
/// input normalisation) pass gradients exactly; each element-wise nonlinearity (ReLU, LeakyReLU, ELU, Sigmoid, Tanh,
/// Softplus) multiplies by <c>(f(x) − f(r)) / (x − r)</c>, or by f′(x) where <c>|x − r| &lt; ε</c>; max-pooling uses
/// SHAP's cross-max rule and softmax the Jacobian averaged along the straight line between the two inputs
/// (Aumann–Shapley), both of which keep completeness. The sum of <c>multiplier · (x − r)</c> over the input equals
/// <c>f(x) − f(r)</c> for every pair, whatever the layers.
/// </summary>
internal sealed class RescaleRule
{
    private const double PoolThreshold = 1e-7;
    private const int SoftmaxNodes = 64;
    private readonly IImageModel _model;
    private readonly IReadOnlyList<nn.Module<Tensor, Tensor>> _layers;
    private readonly double _epsilon;

    /// <summary>Layer types with a rule.</summary>
    public const string Supported = "Conv2d, Linear, Flatten, ReLU, LeakyReLU, ELU, Sigmoid, Tanh, Softplus, Softmax (over classes), MaxPool2d, AvgPool2d, BatchNorm2d and Dropout (evaluation mode), Identity";

    /// <summary>Checks that every layer has a rule; throws a <see cref="GlassboxException"/> naming the first that has none.</summary>
    public RescaleRule(IImageModel model, double epsilon, string method)
    {
        _model = model;
        _epsilon = epsilon;
        _layers = ModelCapabilities.RequireLayers(model, method);
        CheckLayers(_layers, method);
    }

    /// <summary>Refuses duplicated modules and layers without a rule.</summary>
    public static void CheckLayers(IReadOnlyList<nn.Module<Tensor, Tensor>> layers, string method)
    {
        var seen = new HashSet<nn.Module>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            if (!seen.Add(layer))
                throw new GlassboxException($"Layer {i} ({layer.GetType().Name}) is the same module as an earlier layer (a module used twice); {method} needs each module once. Give each use its own module.");
            switch (layer)
            {
                case Conv2d c when c.padding_mode != PaddingModes.Zeros || (c.padding is null && c.padding_type == Padding.Same):
                    throw new GlassboxException($"Layer {i} (Conv2d) uses padding mode {c.padding_mode} {c.padding_type}; {method} supports explicit zero padding only.");
                case Softmax s when s.dim != 1 && s.dim != -1:
                    throw new GlassboxException($"Layer {i} (Softmax over dimension {s.dim}) is not supported; {method} handles softmax over the classes of an N×K output.");
                case Conv2d or Linear or Flatten or ReLU or LeakyReLU or ELU or Sigmoid or Tanh or Softplus or Softmax
                    or MaxPool2d or AvgPool2d or BatchNorm2d or Dropout or Identity:
                    break;
                default:
                    throw new GlassboxException($"Layer {i} ({layer.GetType().Name}) has no {method} rule. Supported: {Supported}.");
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

    /// <summary>
    /// Per-layer multipliers of the pairs (every input with every reference, i·B+b; or input i with reference i when
    /// <paramref name="aligned"/>), reused across output classes.
    /// </summary>
    public Tensor?[] Multipliers(Tensor[] x, Tensor[] r, bool aligned = false)
    {
        var result = new Tensor?[_layers.Count];
        for (int i = 0; i < _layers.Count; i++)
        {
            switch (_layers[i])
            {
                case ReLU or LeakyReLU or ELU or Sigmoid or Tanh or Softplus:
                {
                    // Cross pairs are formed by broadcasting (N×1×… against 1×B×…), so only the result is materialised.
                    var xin = aligned ? x[i] : x[i].unsqueeze(1);
                    var rin = aligned ? r[i] : r[i].unsqueeze(0);
                    var dIn = xin - rin;
                    var dOut = (aligned ? x[i + 1] : x[i + 1].unsqueeze(1)) - (aligned ? r[i + 1] : r[i + 1].unsqueeze(0));
                    var slope = LayerTrace.Derivative(_layers[i], x[i]);
                    var m = torch.where(dIn.abs() < _epsilon, aligned ? slope : slope.unsqueeze(1), dOut.div_(dIn));
                    result[i] = aligned ? m : m.reshape(LayerTrace.WithRows(x[i].shape[0] * r[i].shape[0], x[i].shape));
                    break;
                }
                case Softmax:
                {
                    var (zx, zr) = LayerTrace.Pair(x[i], r[i], aligned);
                    result[i] = SoftmaxPathJacobian(zx, zr);
                    break;
                }
            }
        }
        return result;
    }

    /// <summary>
    /// Propagates <paramref name="outputGradient"/> (1×K or P×K at the last layer's output) back to the pixels for the
    /// pairs, returning P×C×H×W multipliers with respect to the pixels.
    /// </summary>
    public Tensor Backward(Tensor outputGradient, Tensor[] x, Tensor[] r, Tensor?[] multipliers, bool aligned = false)
    {
        using var noGrad = torch.no_grad();
        long pairs = aligned ? x[0].shape[0] : x[0].shape[0] * r[0].shape[0];
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
                    g = LayerTrace.ConvTranspose(conv, conv.weight!, Expand(g, pairs, x[i + 1].shape), inShape);
                    break;
                case Flatten:
                    g = g.reshape(LayerTrace.WithRows(g.shape[0], inShape));
                    break;
                case ReLU or LeakyReLU or ELU or Sigmoid or Tanh or Softplus:
                    g = Expand(g, pairs, x[i + 1].shape) * multipliers[i]!;
                    break;
                case Softmax:
                    g = Expand(g, pairs, x[i + 1].shape).to_type(ScalarType.Float64).unsqueeze(1).matmul(multipliers[i]!).squeeze(1).to_type(x[i].dtype);
                    break;
                case MaxPool2d pool:
                    g = MaxPoolBackward(Expand(g, pairs, x[i + 1].shape), pool, x[i], r[i], x[i + 1], r[i + 1], aligned);
                    break;
                case AvgPool2d or BatchNorm2d:
                {
                    // Affine layers: their Jacobian is constant, so the gradient at any point is exact.
                    var at = torch.zeros(LayerTrace.WithRows(g.shape[0], inShape), dtype: x[i].dtype, device: x[i].device);
                    g = LayerTrace.Vjp(layer, at, g.reshape(LayerTrace.WithRows(g.shape[0], x[i + 1].shape)));
                    break;
                }
                default: // Dropout in evaluation mode, Identity
                    break;
            }
        }
        g = Expand(g, pairs, x[0].shape);
        if (_model.Info.Std is float[] std)
            g = g / torch.tensor(std, [1, std.Length, 1, 1], device: g.device);
        return g;
    }

    // ∫₀¹ J_softmax(z_r + α(z_x − z_r)) dα per pair, in float64 (P×K×K), so that J̄·Δz = Δp up to quadrature.
    internal static Tensor SoftmaxPathJacobian(Tensor zx, Tensor zr)
    {
        var (alphas, weights) = GaussLegendre.UnitInterval(SoftmaxNodes);
        long classes = zx.shape[1];
        var x = zx.to_type(ScalarType.Float64);
        var dz = x - zr.to_type(ScalarType.Float64);
        var start = zr.to_type(ScalarType.Float64);
        var acc = torch.zeros([zx.shape[0], classes, classes], dtype: ScalarType.Float64, device: zx.device);
        var eye = torch.eye(classes, dtype: ScalarType.Float64, device: zx.device);
        for (int q = 0; q < alphas.Length; q++)
        {
            var p = nn.functional.softmax(start + alphas[q] * dz, -1);
            acc.add_((p.unsqueeze(-1) * eye - p.unsqueeze(-1) * p.unsqueeze(-2)) * weights[q]);
        }
        return acc;
    }

    // SHAP's cross-max rule: the output difference y − y_r splits into (max(y, y_r) − y_r), credited at x's argmax,
    // and (y − max(y, y_r)), credited at r's argmax; dividing by (x − r) turns these into multipliers.
    private static Tensor MaxPoolBackward(Tensor g, MaxPool2d pool, Tensor xin, Tensor rin, Tensor xout, Tensor rout, bool aligned)
    {
        var stride = pool.stride ?? pool.kernel_size;
        var (_, ix) = nn.functional.max_pool2d_with_indices(xin, pool.kernel_size, stride, pool.padding, pool.dilation, pool.ceil_mode);
        var (_, ir) = nn.functional.max_pool2d_with_indices(rin, pool.kernel_size, stride, pool.padding, pool.dilation, pool.ceil_mode);
        var (idxX, idxR) = LayerTrace.Pair(ix, ir, aligned);
        var (y, yr) = LayerTrace.Pair(xout, rout, aligned);
        var (xp, rp) = LayerTrace.Pair(xin, rin, aligned);
        long pairs = y.shape[0], c = xin.shape[1], h = xin.shape[2], w = xin.shape[3];
        var cross = torch.maximum(y, yr);
        var gx = (g * (cross - yr)).flatten(2);
        var gr = (g * (y - cross)).flatten(2);
        var acc = torch.zeros([pairs, c, h * w], dtype: g.dtype, device: g.device);
        acc.scatter_add_(2, idxX.flatten(2), gx);
        acc.scatter_add_(2, idxR.flatten(2), gr);
        var dIn = (xp - rp).reshape(pairs, c, h * w);
        var safe = torch.where(dIn.abs() < PoolThreshold, torch.ones_like(dIn), dIn);
        return torch.where(dIn.abs() < PoolThreshold, torch.zeros_like(acc), acc / safe).reshape(pairs, c, h, w);
    }

    private static Tensor Expand(Tensor g, long pairs, long[] activationShape)
    {
        var target = LayerTrace.WithRows(pairs, activationShape);
        return g.shape[0] == pairs ? g.reshape(target) : g.reshape(LayerTrace.WithRows(1, activationShape)).expand(target);
    }
}

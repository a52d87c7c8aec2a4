using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// A convolution or dense layer seen as <c>z = W·a + b</c>, with its forward operation for modified weights and its
/// transposed operation Wᵀ: the mechanism every LRP rule configures (Montavon et al. 2019).
/// </summary>
internal sealed class WeightedLayer
{
    private readonly Conv2d? _conv;

    private WeightedLayer(nn.Module<Tensor, Tensor> module)
    {
        switch (module)
        {
            case Conv2d conv:
                _conv = conv;
                Weight = conv.weight!.detach();
                Bias = conv.bias?.detach();
                break;
            case Linear lin:
                Weight = lin.weight!.detach();
                Bias = lin.bias?.detach();
                break;
            default:
                throw new GlassboxException($"This LRP rule applies to Conv2d and Linear layers, not {module.GetType().Name}.");
        }
    }

    /// <summary>Whether <paramref name="module"/> is a layer with weights (Conv2d or Linear).</summary>
    public static bool Is(nn.Module module) => module is Conv2d or Linear;

    /// <summary>The weighted view of <paramref name="module"/>; throws for other layers.</summary>
    public static WeightedLayer Of(nn.Module<Tensor, Tensor> module) => new(module);

    /// <summary>The layer's weight, detached.</summary>
    public Tensor Weight { get; }

    /// <summary>The layer's bias, detached, or null.</summary>
    public Tensor? Bias { get; }

    /// <summary>The layer's operation with weight <paramref name="w"/> and bias <paramref name="b"/> on <paramref name="a"/>.</summary>
    public Tensor Forward(Tensor a, Tensor w, Tensor? b)
        => _conv is { } c ? nn.functional.conv2d(a, w, b, c.stride, c.padding ?? [0, 0], c.dilation, c.groups) : nn.functional.linear(a, w, b);

    /// <summary>Wᵀ·s for weight <paramref name="w"/>, shaped like the layer's input <paramref name="inShape"/> (rows of s).</summary>
    public Tensor Transpose(Tensor s, Tensor w, long[] inShape)
        => _conv is { } c ? PropagationMath.ConvTranspose(c, w, s, inShape) : s.matmul(w);
}

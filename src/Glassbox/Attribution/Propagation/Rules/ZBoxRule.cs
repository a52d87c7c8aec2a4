using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// LRP-z^B (Montavon et al. 2017, deep Taylor decomposition for bounded inputs), as Zennit's <c>ZBox</c>: with the
/// inputs confined to [l, h], <c>z = Wa − W⁺l − W⁻h</c> and <c>R = a⊙Wᵀs − l⊙W⁺ᵀs − h⊙W⁻ᵀs</c>, s = R / z. Used on
/// the first layer, with l and h the pixel range mapped through the model's input normalisation.
/// </summary>
/// <param name="low">Lowest input values: one per channel (1×C×1×1), or one per input element (1×…).</param>
/// <param name="high">Highest input values, shaped like <paramref name="low"/>.</param>
public sealed class ZBoxRule(Tensor low, Tensor high) : IBackwardRule
{
    /// <summary>Lowest input values.</summary>
    public Tensor Low { get; } = low;

    /// <summary>Highest input values.</summary>
    public Tensor High { get; } = high;

    /// <inheritdoc />
    public string Name => "z-box";

    /// <inheritdoc />
    public Tensor[] Backward(LayerStep step, Tensor signal, object? state)
    {
        var layer = WeightedLayer.Of(step.Module);
        var a = step.Input;
        var l = Fit(Low, a);
        var h = Fit(High, a);
        var w = layer.Weight;
        var wp = w.clamp_min(0);
        var wn = w.clamp_max(0);
        // The bias cancels: (Wa + b) − (W⁺l + b⁺) − (W⁻h + b⁻).
        var z = layer.Forward(a, w, null) - layer.Forward(l, wp, null) - layer.Forward(h, wn, null);
        var s = signal / PropagationMath.Stabilize(z, PropagationMath.MinStabilizer);
        return [a * layer.Transpose(s, w, a.shape) - l * layer.Transpose(s, wp, a.shape) - h * layer.Transpose(s, wn, a.shape)];
    }

    // Per-element bounds of the layer's input (e.g. after a Flatten) take its shape; per-channel bounds broadcast.
    private static Tensor Fit(Tensor bound, Tensor a)
    {
        var b = bound.to(a.device).to_type(a.dtype);
        long perRow = a.numel() / a.shape[0];
        var one = PropagationMath.WithRows(1, a.shape);
        if (b.numel() == perRow) return b.reshape(one);
        if (b.dim() == a.dim() && b.shape[1] == a.shape[1] && !b.shape.Skip(2).SequenceEqual(a.shape.Skip(2)))
        {
            // Bounds of the pixels reaching the layer through padding or cropping (a graph's Pad node): per channel, when constant.
            var spatial = Enumerable.Range(2, (int)b.dim() - 2).Select(d => (long)d).ToArray();
            var low = b.amin(spatial, keepdim: true);
            if (low.allclose(b.amax(spatial, keepdim: true), 0, 0)) return low.expand(one);
        }
        if (b.dim() == a.dim()) return b.expand(one);
        throw new GlassboxException($"The z-box bounds ({string.Join("×", bound.shape)}) do not fit the layer's input ({string.Join("×", a.shape.Skip(1))}); give one value per channel or per input element.");
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// The generalised LRP-γ of Zennit's <c>Gamma</c> (Montavon et al. 2019; Andéol et al. 2021), valid for inputs of
/// either sign: an output unit with z &gt; 0 redistributes through <c>(w + γw⁺)a⁺ + (w + γw⁻)a⁻ + b + γb⁺</c>, one with
/// z &lt; 0 through <c>(w + γw⁻)a⁺ + (w + γw⁺)a⁻ + b + γb⁻</c>. For non-negative inputs and positive outputs it is
/// <see cref="GammaRule"/>.
/// </summary>
/// <param name="gamma">γ (Zennit's default 0.25).</param>
public sealed class GeneralizedGammaRule(double gamma) : IBackwardRule
{
    /// <summary>γ.</summary>
    public double Gamma { get; } = gamma;

    /// <inheritdoc />
    public string Name => "generalized-gamma";

    /// <inheritdoc />
    public Tensor[] Backward(LayerStep step, Tensor signal, object? state)
    {
        var layer = WeightedLayer.Of(step.Module);
        var a = step.Input;
        var ap = a.clamp_min(0);
        var an = a.clamp_max(0);
        var w = layer.Weight;
        var wUp = w + Gamma * w.clamp_min(0);
        var wDown = w + Gamma * w.clamp_max(0);
        var b = layer.Bias;
        var z = step.Output;
        var positive = Part(layer, ap, an, wUp, wDown, b is null ? null : b + Gamma * b.clamp_min(0), signal * (z > 0).to_type(signal.dtype));
        var negative = Part(layer, ap, an, wDown, wUp, b is null ? null : b + Gamma * b.clamp_max(0), signal * (z < 0).to_type(signal.dtype));
        return [positive + negative];
    }

    // Relevance through z = w₁a⁺ + w₂a⁻ + b: a⁺·w₁ᵀs + a⁻·w₂ᵀs with s = R / z.
    private static Tensor Part(WeightedLayer layer, Tensor ap, Tensor an, Tensor w1, Tensor w2, Tensor? b, Tensor r)
    {
        var z = layer.Forward(ap, w1, b) + layer.Forward(an, w2, null);
        var s = r / PropagationMath.Stabilize(z, PropagationMath.MinStabilizer);
        return ap * layer.Transpose(s, w1, ap.shape) + an * layer.Transpose(s, w2, an.shape);
    }
}

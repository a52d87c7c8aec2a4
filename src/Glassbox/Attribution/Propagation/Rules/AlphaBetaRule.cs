using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// LRP-αβ (Bach et al. 2015): positive contributions <c>z⁺ = w⁺a⁺ + w⁻a⁻ + b⁺</c> and negative ones
/// <c>z⁻ = w⁻a⁺ + w⁺a⁻ + b⁻</c> are redistributed separately, <c>R = α·R(z⁺) − β·R(z⁻)</c> with α − β = 1 (as Zennit's
/// <c>AlphaBeta</c>): α1β0 and α2β1 are the usual choices.
/// </summary>
public sealed class AlphaBetaRule : IBackwardRule
{
    /// <summary>The rule with weights <paramref name="alpha"/> and <paramref name="beta"/> (α, β ≥ 0, α − β = 1).</summary>
    public AlphaBetaRule(double alpha = 2, double beta = 1)
    {
        if (!(alpha >= 0 && beta >= 0) || Math.Abs(alpha - beta - 1) > 1e-12)
            throw new GlassboxException($"LRP-αβ needs α, β ≥ 0 with α − β = 1 (so relevance is conserved), not α = {alpha}, β = {beta}.");
        Alpha = alpha;
        Beta = beta;
    }

    /// <summary>Weight of the positive contributions.</summary>
    public double Alpha { get; }

    /// <summary>Weight of the negative contributions.</summary>
    public double Beta { get; }

    /// <inheritdoc />
    public string Name => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"alpha{Alpha:0.##}-beta{Beta:0.##}");

    /// <inheritdoc />
    public Tensor[] Backward(LayerStep step, Tensor signal, object? state)
        => [Redistribute(WeightedLayer.Of(step.Module), step.Input, signal, Alpha, Beta, withBias: true)];

    /// <summary>The αβ redistribution; <paramref name="withBias"/> false drops the bias (z⁺).</summary>
    internal static Tensor Redistribute(WeightedLayer layer, Tensor a, Tensor r, double alpha, double beta, bool withBias)
    {
        var ap = a.clamp_min(0);
        var an = a.clamp_max(0);
        var wp = layer.Weight.clamp_min(0);
        var wn = layer.Weight.clamp_max(0);
        var bias = withBias ? layer.Bias : null;
        var positive = Part(layer, ap, an, wp, wn, bias?.clamp_min(0), r);
        if (beta == 0) return alpha == 1 ? positive : alpha * positive;
        var negative = Part(layer, ap, an, wn, wp, bias?.clamp_max(0), r);
        return alpha * positive - beta * negative;
    }

    // Relevance through z = w₁a⁺ + w₂a⁻ + b: a⁺·w₁ᵀs + a⁻·w₂ᵀs with s = R / z.
    private static Tensor Part(WeightedLayer layer, Tensor ap, Tensor an, Tensor w1, Tensor w2, Tensor? b, Tensor r)
    {
        var z = layer.Forward(ap, w1, b) + layer.Forward(an, w2, null);
        var s = r / PropagationMath.Stabilize(z, PropagationMath.MinStabilizer);
        return ap * layer.Transpose(s, w1, ap.shape) + an * layer.Transpose(s, w2, an.shape);
    }
}

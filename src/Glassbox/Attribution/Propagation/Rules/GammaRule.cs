using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// LRP-γ (Montavon et al. 2019, "Layer-Wise Relevance Propagation: An Overview"): weights <c>w + γ·w⁺</c> and bias
/// <c>b + γ·b⁺</c>, favouring positive contributions; meant for the non-negative inputs that follow a ReLU.
/// </summary>
/// <param name="gamma">γ (Zennit's default 0.25).</param>
public sealed class GammaRule(double gamma) : IBackwardRule
{
    /// <summary>γ.</summary>
    public double Gamma { get; } = gamma;

    /// <inheritdoc />
    public string Name => "gamma";

    /// <inheritdoc />
    public Tensor[] Backward(LayerStep step, Tensor signal, object? state)
    {
        var layer = WeightedLayer.Of(step.Module);
        var a = step.Input;
        var w = layer.Weight + Gamma * layer.Weight.clamp_min(0);
        var b = layer.Bias is { } bias ? bias + Gamma * bias.clamp_min(0) : null;
        var z = layer.Forward(a, w, b);
        return [a * layer.Transpose(signal / PropagationMath.Stabilize(z, PropagationMath.MinStabilizer), w, a.shape)];
    }
}

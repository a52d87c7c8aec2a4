using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// DeepLIFT's rescale rule (Shrikumar, Greenside and Kundaje 2017, "Learning Important Features Through Propagating
/// Activation Differences") for an element-wise nonlinearity: the multiplier <c>(f(x) − f(r)) / (x − r)</c>, or
/// f′(x) where <c>|x − r| &lt; ε</c>. Needs the reference's activations; pairs are formed by broadcasting, so only
/// the multipliers are materialised.
/// </summary>
/// <param name="epsilon">Below this |x − r| the multiplier falls back to the derivative.</param>
public sealed class RescaleRule(double epsilon) : IBackwardRule
{
    /// <summary>The fallback threshold.</summary>
    public double Epsilon { get; } = epsilon;

    /// <inheritdoc />
    public string Name => "rescale";

    /// <summary>The multipliers of every pair (P rows).</summary>
    public object? Prepare(LayerStep step)
    {
        bool aligned = step.Aligned;
        var x = step.Input;
        var r = step.ReferenceInput;
        var dIn = aligned ? x - r : x.unsqueeze(1) - r.unsqueeze(0);
        var dOut = aligned ? step.Output - step.ReferenceOutput! : step.Output.unsqueeze(1) - step.ReferenceOutput!.unsqueeze(0);
        var slope = PropagationMath.Derivative(step.Module, x);
        var m = torch.where(dIn.abs() < Epsilon, aligned ? slope : slope.unsqueeze(1), dOut.div_(dIn));
        return aligned ? m : m.reshape(PropagationMath.WithRows(step.Pairs, x.shape));
    }

    /// <inheritdoc />
    public Tensor[] Backward(LayerStep step, Tensor signal, object? state)
    {
        var m = (Tensor)(state ?? Prepare(step)!);
        return [PropagationMath.Expand(signal, step.Pairs, step.Output.shape) * m];
    }
}

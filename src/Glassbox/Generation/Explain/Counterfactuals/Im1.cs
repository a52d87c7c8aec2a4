using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Generation.Explain.Counterfactuals;

/// <summary>
/// IM1 (Van Looveren &amp; Klaise 2021, "Interpretable Counterfactual Explanations Guided by Prototypes"):
/// IM1 = ‖x′ − AE_t(x′)‖²₂ / (‖x′ − AE_o(x′)‖²₂ + ε), where AE_t is an autoencoder trained only on the target class
/// and AE_o one trained only on the original class. Below 1, the counterfactual is better explained by the target
/// class's data than by its original class's: lower is more plausible.
/// </summary>
public static class Im1
{
    /// <summary>ε of the denominator (the paper's small constant).</summary>
    public const double Epsilon = 1e-8;

    /// <summary>IM1 per row from the counterfactuals and their reconstructions by AE_t and AE_o.</summary>
    public static double[] Score(Tensor counterfactuals, Tensor byTarget, Tensor byOriginal)
    {
        if (!counterfactuals.shape.SequenceEqual(byTarget.shape) || !counterfactuals.shape.SequenceEqual(byOriginal.shape))
            throw new GlassboxException($"IM1 needs reconstructions shaped like the counterfactuals [{string.Join(", ", counterfactuals.shape)}]; got [{string.Join(", ", byTarget.shape)}] and [{string.Join(", ", byOriginal.shape)}].");
        using var scope = torch.NewDisposeScope();
        var x = counterfactuals.detach().to_type(ScalarType.Float64).flatten(1);
        var t = (x - byTarget.detach().to_type(ScalarType.Float64).flatten(1)).square().sum(1);
        var o = (x - byOriginal.detach().to_type(ScalarType.Float64).flatten(1)).square().sum(1);
        return (t / (o + Epsilon)).cpu().data<double>().ToArray();
    }
}

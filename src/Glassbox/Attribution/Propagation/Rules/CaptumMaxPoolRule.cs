using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// What Captum 0.7's <c>DeepLift</c> computes at a max-pooling layer, for parity with it (the default
/// <see cref="CrossMaxRule"/> is SHAP's and exact). Captum's own rule is the cross-max split with one change: where
/// <c>|x − r| &lt; ε</c> it takes the layer's plain gradient of the first row of the batch (<c>grad_input[0]</c>),
/// broadcast over every pair, instead of zero. And when the pool directly follows a nonlinearity that Captum also
/// hooks (ReLU, ...), its tensor hooks hand that nonlinearity the pool's unmodified gradient (the signal routed to
/// each pair's own winner), so the cross-max multipliers reach the earlier layers only where the nonlinearity falls
/// back to its derivative. With a reference constant over each window (e.g. zeros) both routes are complete; with
/// varied references Captum's is not.
/// </summary>
/// <param name="epsilon">Captum's threshold on |x − r| (DeepLIFT's eps, 1e-10).</param>
/// <param name="afterNonlinearity">The pool reads the output of a nonlinearity with a rescale rule.</param>
public sealed class CaptumMaxPoolRule(double epsilon, bool afterNonlinearity = false) : IBackwardRule
{
    /// <summary>The fallback threshold.</summary>
    public double Epsilon { get; } = epsilon;

    /// <summary>Whether the pool follows a hooked nonlinearity (plain gradient where |x − r| ≥ ε).</summary>
    public bool AfterNonlinearity { get; } = afterNonlinearity;

    /// <inheritdoc />
    public string Name => "captum-max-pool";

    /// <inheritdoc />
    public Tensor[] Backward(LayerStep step, Tensor signal, object? state)
    {
        var (acc, dIn, plain) = CrossMaxRule.Split(step, signal);
        var small = dIn.abs() < Epsilon;
        var firstRow = plain.narrow(0, 0, 1).expand_as(plain);
        if (AfterNonlinearity) return [torch.where(small, firstRow, plain)];
        var safe = torch.where(small, torch.ones_like(dIn), dIn);
        return [torch.where(small, firstRow, acc / safe)];
    }
}

using Glassbox.Attribution.Catalog;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>Settings for <see cref="DeepLiftShap"/> (Captum's defaults).</summary>
/// <param name="Output">Explain logits (default) or softmax probabilities.</param>
/// <param name="PairsPerChunk">(input, baseline) pairs propagated together; bounds memory.</param>
/// <param name="Epsilon">Below this |x − r| a nonlinearity's multiplier falls back to its derivative (Captum: 1e-10).</param>
/// <param name="AdditivityTolerance">Each explanation must satisfy |f(x) − E_b[f(b)] − Σφ| ≤ tolerance · max(1, |f(x)|).</param>
/// <param name="MaxPoolRule">Max-pooling rule: SHAP's cross-max (default, exact) or Captum's (the gradient where |x − r| &lt; ε).</param>
public sealed record DeepLiftShapOptions(
    [property: Option("output", Help = "logits or probabilities (softmax)")] OutputSpace Output = OutputSpace.Logits,
    [property: Option("internal-batch-size", Reference = "internal_batch_size", Min = 1, Max = 1000000, Help = "(input, baseline) pairs propagated together; bounds memory")] int PairsPerChunk = 200,
    [property: Option("epsilon", Reference = "eps", Min = 0, Help = "Below this |x − r| a nonlinearity's multiplier falls back to its gradient")] double Epsilon = 1e-10,
    double AdditivityTolerance = 1e-4,
    [property: Option("maxpool-rule", Help = "Max-pooling where input equals reference: shap (cross-max, zero multiplier; shap.DeepExplainer) or captum (keeps the gradient; captum.attr.DeepLiftShap)")] MaxPoolRule MaxPoolRule = MaxPoolRule.Shap);

/// <summary>
/// DeepLiftShap (Lundberg and Lee 2017), as Captum's <c>DeepLiftShap</c>: DeepLIFT against each of B ≥ 2 baselines,
/// averaged, so <c>Σφ = f(x) − mean_b f(b)</c>. By definition this is the DeepSHAP of <c>shap.DeepExplainer</c>
/// with the same rules, and it runs on the same implementation (<see cref="DeepShap"/>); only Captum's fallback
/// threshold (1e-10) and its requirement of at least two baselines differ. Unlike Captum 0.7, completeness holds with
/// max-pooling and many baselines.
/// </summary>
public sealed class DeepLiftShap : IAttributionMethod
{
    private readonly DeepShap _inner;

    /// <summary>Prepares the method with a baseline distribution (B×C×H×W pixels, B ≥ 2).</summary>
    public DeepLiftShap(IImageModel model, Tensor baselines, DeepLiftShapOptions? options = null)
    {
        Options = options ?? new DeepLiftShapOptions();
        if (baselines.dim() == 4 && baselines.shape[0] < 2)
            throw new GlassboxException($"DeepLiftShap needs at least 2 baseline images (it averages DeepLIFT over a baseline distribution), got {baselines.shape[0]}. Use deep-lift for a single baseline.");
        _inner = new DeepShap(model, baselines, new DeepShapOptions(Options.Output, Options.PairsPerChunk, Options.AdditivityTolerance, Epsilon: Options.Epsilon, MaxPoolRule: Options.MaxPoolRule));
    }

    /// <summary>The settings in use.</summary>
    public DeepLiftShapOptions Options { get; }

    /// <summary>mean_b f_c(b) for every class c.</summary>
    public double[] ExpectedValue => _inner.ExpectedValue;

    /// <inheritdoc />
    public string Name => "deep-lift-shap";

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
        => _inner.Explain(inputs, targets, progress, cancel) with { Method = "DeepLiftShap", Settings = Options };
}

using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Robustness;

/// <summary>Settings for <see cref="LocalLipschitzEstimate"/> (Quantus' defaults).</summary>
/// <param name="NrSamples">Perturbed copies per image (Quantus <c>nr_samples</c>, 200).</param>
/// <param name="PerturbMean">Mean of the Gaussian input noise (Quantus <c>perturb_mean</c>, 0).</param>
/// <param name="PerturbStd">Standard deviation of the Gaussian input noise (Quantus <c>perturb_std</c>, 0.1).</param>
/// <param name="Normalise">Normalise both maps first, positive values by the largest and negative ones by |smallest| (Quantus <c>normalise=True</c>, <c>normalise_by_negative</c>).</param>
/// <param name="Abs">Compare |φ| (Quantus <c>abs</c>, false).</param>
/// <param name="Seed">Seed of the noise generator.</param>
/// <param name="BatchSize">Perturbed images per call of the explain function (does not change the scores).</param>
public sealed record LocalLipschitzEstimateOptions(
    [property: Option("nr-samples", Reference = "nr_samples", Min = 1, Max = 100000, Help = "Perturbed copies per image")] int NrSamples = 200,
    [property: Option("perturb-mean", Reference = "perturb_mean", Min = -1e6, Max = 1e6, Help = "Mean of the Gaussian input noise")] double PerturbMean = 0.0,
    [property: Option("perturb-std", Reference = "perturb_std", Min = 0, Max = 1e6, Help = "Standard deviation of the Gaussian input noise")] double PerturbStd = 0.1,
    [property: Option("normalise", Reference = "normalise", Help = "Normalise maps by their largest positive and negative values first")] bool Normalise = true,
    [property: Option("abs", Reference = "abs", Help = "Compare absolute attributions")] bool Abs = false,
    [property: Option("seed", Help = "Seed of the noise")] int Seed = 0,
    [property: Option("batch-size", Min = 1, Max = 1000000, Help = "Perturbed images per explain call")] int BatchSize = 64);

/// <summary>
/// The local Lipschitz estimate (Alvarez-Melis and Jaakkola 2018, "On the Robustness of Interpretability Methods"), as
/// Quantus' <c>LocalLipschitzEstimate</c>: the largest ‖φ(x) − φ(x′)‖₂ / (‖x − x′‖₂ + 10⁻¹⁰) over copies x′ = x + ε,
/// ε ~ N(0, 0.1²) per pixel (200 copies), both maps normalised by their extremes. Lower is more robust.
/// </summary>
public sealed class LocalLipschitzEstimate(LocalLipschitzEstimateOptions? options = null) : IReexplainingMetric
{
    /// <summary>The settings.</summary>
    public LocalLipschitzEstimateOptions Options { get; } = options ?? new LocalLipschitzEstimateOptions();

    /// <inheritdoc/>
    public string Name => "local-lipschitz-estimate";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Robustness;
    /// <inheritdoc/>
    public bool HigherIsBetter => false;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.Forward;

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, ExplainFunction explain, CancellationToken cancel = default)
    {
        var o = Options;
        if (!(o.PerturbStd >= 0) || !double.IsFinite(o.PerturbStd) || !double.IsFinite(o.PerturbMean))
            throw new GlassboxException($"{Name} needs a finite noise mean and a standard deviation ≥ 0.");
        var scores = PerturbationRun.Scores(model, inputs, explanation, explain, Name, o.NrSamples, o.Seed,
            PerturbationRun.Gaussian(o.PerturbMean, o.PerturbStd), needLogits: false, o.BatchSize,
            (image, k, s, a, b) => Ratio(Prepare(a), Prepare(b), image.Pixels, image.Copy(s)),
            v => Math.Max(0, PerturbationRun.Max(v)), cancel);
        return new MetricResult(Name, scores, o);
    }

    /// <summary>‖a − b‖₂ / (‖x − x′‖₂ + 10⁻¹⁰), Quantus' <c>lipschitz_constant</c> with Euclidean distances.</summary>
    public static double Ratio(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> x, ReadOnlySpan<float> perturbed)
        => PerturbationRun.Distance(a, b) / (PerturbationRun.Distance(x, perturbed) + 1e-10);

    private float[] Prepare(ReadOnlySpan<float> map)
    {
        var r = Options.Normalise ? Reexplanation.NormaliseByNegative(map) : map.ToArray();
        if (Options.Abs)
            for (int i = 0; i < r.Length; i++) r[i] = Math.Abs(r[i]);
        return r;
    }
}

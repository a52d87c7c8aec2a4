using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Complexity;

/// <summary>Settings for <see cref="Complexity"/> (Quantus' defaults).</summary>
/// <param name="Absolute">Score |φ| (Quantus <c>abs=True</c>); with signed values the "distribution" can hold negative shares.</param>
public sealed record ComplexityOptions(
    [property: Option("abs", Reference = "abs", Help = "Score |attribution| (false: signed values, as Quantus abs=False)")] bool Absolute = true);

/// <summary>
/// Complexity (Bhatt, Weller and Moura 2020, "Evaluating and Aggregating Feature-based Model Explanations"), as Quantus'
/// <c>Complexity</c>: the entropy −Σ p log(p + 1e-12) of the map's fractional contributions p = |φ| / Σ|φ| over pixels
/// (channels summed first). 0 when one pixel holds everything, log(pixels) when all weigh the same; lower is simpler.
/// NaN for an all-zero map. Quantus' division by the maximum first does not change p, so it is not an option here.
/// </summary>
public sealed class Complexity(ComplexityOptions? options = null) : IExplanationMetric
{
    /// <summary>The settings.</summary>
    public ComplexityOptions Options { get; } = options ?? new ComplexityOptions();

    /// <inheritdoc/>
    public string Name => "complexity";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Complexity;
    /// <inheritdoc/>
    public bool HigherIsBetter => false;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.None;

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, CancellationToken cancel = default)
    {
        PixelMaps.Check(explanation, Name);
        var scores = new double[explanation.Count * explanation.TargetsPerInput];
        for (int m = 0; m < scores.Length; m++)
        {
            cancel.ThrowIfCancellationRequested();
            scores[m] = Entropy(PixelMaps.Of(explanation, m, Options.Absolute, normaliseByMax: false));
        }
        return new MetricResult(Name, scores, Options);
    }

    /// <summary>−Σ p log(p + 1e-12) with p = a / Σ|a| (Quantus' form); NaN when Σ|a| = 0.</summary>
    public static double Entropy(double[] a)
    {
        double total = a.Sum(Math.Abs);
        if (total == 0) return double.NaN;
        double h = 0;
        foreach (double v in a)
        {
            double p = v / total;
            h -= p * Math.Log(p + 1e-12);
        }
        return h;
    }
}

using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Complexity;

/// <summary>Settings for <see cref="EffectiveComplexity"/> (Quantus' defaults).</summary>
/// <param name="Eps">Threshold: a pixel counts when its (normalised) attribution exceeds it (Quantus <c>eps</c>, 1e-5).</param>
/// <param name="Absolute">Score |φ| (Quantus <c>abs=True</c>).</param>
/// <param name="Normalise">Divide by max |φ| first (Quantus <c>normalise=True</c>, <c>normalise_by_max</c>), so eps is relative to the largest attribution.</param>
public sealed record EffectiveComplexityOptions(
    [property: Option("eps", Reference = "eps", Min = 0, Max = 1e300, Help = "A pixel counts when its attribution exceeds this")] double Eps = 1e-5,
    [property: Option("abs", Reference = "abs", Help = "Score |attribution|")] bool Absolute = true,
    [property: Option("normalise", Reference = "normalise", Help = "Divide by the largest |attribution| first")] bool Normalise = true);

/// <summary>
/// Effective complexity (Nguyen and Martínez 2020, "On Quantitative Aspects of Model Interpretability"), as Quantus'
/// <c>EffectiveComplexity</c>: the number of pixels whose attribution exceeds eps (channels summed first; by default
/// |φ| ÷ max|φ|). Lower is simpler: 1 when one pixel carries the explanation.
/// </summary>
public sealed class EffectiveComplexity(EffectiveComplexityOptions? options = null) : IExplanationMetric
{
    /// <summary>The settings.</summary>
    public EffectiveComplexityOptions Options { get; } = options ?? new EffectiveComplexityOptions();

    /// <inheritdoc/>
    public string Name => "effective-complexity";
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
        if (!(Options.Eps >= 0) || !double.IsFinite(Options.Eps))
            throw new GlassboxException($"effective-complexity needs a finite eps ≥ 0, not {Options.Eps}.");
        var scores = new double[explanation.Count * explanation.TargetsPerInput];
        for (int m = 0; m < scores.Length; m++)
        {
            cancel.ThrowIfCancellationRequested();
            scores[m] = PixelMaps.Of(explanation, m, Options.Absolute, Options.Normalise).Count(v => v > Options.Eps);
        }
        return new MetricResult(Name, scores, Options);
    }
}

using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Metrics.Common;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Faithfulness;

/// <summary>Settings for <see cref="Monotonicity"/> (Quantus' defaults).</summary>
/// <param name="FeaturesInStep">Features revealed per step (Quantus <c>features_in_step</c>).</param>
/// <param name="Absolute">Order by |φ| (Quantus <c>abs</c>).</param>
/// <param name="Normalise">Divide by max |φ| first (Quantus <c>normalise</c>; the order does not change).</param>
/// <param name="PerturbBaseline">Value of the not-yet-revealed features (Quantus <c>perturb_baseline</c>; 0 is black for pixels in [0,1], where Quantus' "black" is each image's smallest value).</param>
/// <param name="BatchSize">Images per forward pass.</param>
public sealed record MonotonicityOptions(
    [property: Option("features-in-step", Reference = "features_in_step", Min = 1, Max = 10000000, Help = "Features revealed per step")] int FeaturesInStep = 1,
    [property: Option("abs", Reference = "abs", Help = "Order by absolute attributions")] bool Absolute = true,
    [property: Option("normalise", Reference = "normalise", Help = "Divide attributions by their largest magnitude")] bool Normalise = true,
    [property: Option("perturb-baseline", Reference = "perturb_baseline", Help = "Value of the features not yet revealed (0 = black)")] double PerturbBaseline = 0,
    [property: Option("batch-size", Min = 1, Max = 100000, Help = "Images per forward pass")] int BatchSize = 256);

/// <summary>
/// Monotonicity (Arya et al. 2019, "One Explanation Does Not Fit All", AIX360's <c>monotonicity_metric</c>), as Quantus'
/// <c>Monotonicity</c>: start from the baseline image and reveal the input's features from the least to the most
/// important; the map scores 1 when the explained output never decreases along the way, else 0. The detail holds
/// each map's outputs after every step. Quantus' current code writes the baseline (not the input) into the revealed
/// features, so its outputs never change and every map passes; this reveals the input's values, as the paper and AIX360 do.
/// </summary>
public sealed class Monotonicity(MonotonicityOptions? options = null) : IExplanationMetric
{
    /// <summary>The settings.</summary>
    public MonotonicityOptions Options { get; } = options ?? new MonotonicityOptions();

    /// <inheritdoc/>
    public string Name => "monotonicity";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Faithfulness;
    /// <inheritdoc/>
    public bool HigherIsBetter => true;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.Forward;

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, CancellationToken cancel = default)
    {
        PerturbationTrials.AtLeast(Name, "features-in-step", Options.FeaturesInStep, 1);
        PerturbationTrials.AtLeast(Name, "batch-size", Options.BatchSize, 1);
        MetricInputs.CheckExplained(model, inputs, explanation, Name);
        int n = explanation.Count, k = explanation.TargetsPerInput, d = explanation.MapSize;
        int steps = (d + Options.FeaturesInStep - 1) / Options.FeaturesInStep;
        var pixels = PerturbationTrials.Pixels(inputs);
        var scores = new double[n * k];
        var curves = new double[n * k][];
        var batch = new float[steps * d];
        for (int m = 0; m < n * k; m++)
        {
            cancel.ThrowIfCancellationRequested();
            int image = m / k;
            var x = pixels.AsSpan(image * d, d);
            var order = PerturbationTrials.Ascending(PerturbationTrials.Prepare(explanation.Map(image, m % k), Options.Absolute, Options.Normalise));
            float fill = (float)Options.PerturbBaseline;
            var current = Enumerable.Repeat(fill, d).ToArray();
            for (int s = 0; s < steps; s++)
            {
                for (int i = s * Options.FeaturesInStep; i < Math.Min(d, (s + 1) * Options.FeaturesInStep); i++) current[order[i]] = x[order[i]];
                current.CopyTo(batch, s * d);
            }
            curves[m] = PerturbationTrials.Scores(model, batch, steps, explanation.Targets[m], explanation.Output, Options.BatchSize);
            bool monotone = true;
            for (int s = 1; s < steps; s++) monotone &= curves[m][s] >= curves[m][s - 1];
            scores[m] = monotone ? 1 : 0;
        }
        return new MetricResult(Name, scores, Options, curves);
    }
}

using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Metrics.Common;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Faithfulness;

/// <summary>Settings for <see cref="MonotonicityCorrelation"/> (Quantus' defaults).</summary>
/// <param name="NrSamples">Random replacements of each step's features (Quantus <c>nr_samples</c>).</param>
/// <param name="FeaturesInStep">Features perturbed together per step (Quantus <c>features_in_step</c>).</param>
/// <param name="Eps">Outputs with |f(x)| below this are not rescaled (Quantus <c>eps</c>).</param>
/// <param name="Absolute">Use |φ| (Quantus <c>abs</c>).</param>
/// <param name="Normalise">Divide by max |φ| first (Quantus <c>normalise</c>; Spearman's ρ does not change).</param>
/// <param name="UniformLow">Smallest replacement value (Quantus' "uniform" baseline, <c>uniform_low</c>).</param>
/// <param name="UniformHigh">Largest replacement value (<c>uniform_high</c>).</param>
/// <param name="Seed">Seeds the replacement values.</param>
/// <param name="BatchSize">Images per forward pass.</param>
public sealed record MonotonicityCorrelationOptions(
    [property: Option("nr-samples", Reference = "nr_samples", Min = 1, Max = 100000, Help = "Random replacements per step")] int NrSamples = 100,
    [property: Option("features-in-step", Reference = "features_in_step", Min = 1, Max = 10000000, Help = "Features perturbed together per step")] int FeaturesInStep = 1,
    [property: Option("eps", Reference = "eps", Min = 0, Help = "Outputs smaller than this in magnitude are not rescaled")] double Eps = 1e-5,
    [property: Option("abs", Reference = "abs", Help = "Use absolute attributions")] bool Absolute = true,
    [property: Option("normalise", Reference = "normalise", Help = "Divide attributions by their largest magnitude")] bool Normalise = true,
    [property: Option("uniform-low", Reference = "uniform_low", Help = "Smallest replacement value")] double UniformLow = 0,
    [property: Option("uniform-high", Reference = "uniform_high", Help = "Largest replacement value")] double UniformHigh = 1,
    [property: Option("seed", Min = 0, Max = int.MaxValue, Help = "Seed of the replacement values")] int Seed = 0,
    [property: Option("batch-size", Min = 1, Max = 100000, Help = "Images per forward pass")] int BatchSize = 256);

/// <summary>Per-step quantities behind <see cref="MonotonicityCorrelation"/>'s scores, per map [n·K+k].</summary>
/// <param name="AttributionSums">Σφ of each step's features (steps in ascending attribution order).</param>
/// <param name="Variances">Mean of (f(x') − f(x))² over the step's samples, divided by f(x)² when |f(x)| ≥ eps.</param>
public sealed record MonotonicityCorrelationDetail(double[][] AttributionSums, double[][] Variances);

/// <summary>
/// Monotonicity correlation (Nguyen and Rodríguez Martínez 2020, "On Quantitative Aspects of Model Interpretability"),
/// as Quantus' <c>MonotonicityCorrelation</c>: for each group of features (least important first), replace just those
/// features by uniform random values many times and measure the output's mean squared change (relative to f(x)²); the
/// map scores Spearman's ρ between the groups' attributions and these variances. Higher is better (1: a feature's
/// attribution orders how much it moves the output).
/// </summary>
public sealed class MonotonicityCorrelation(MonotonicityCorrelationOptions? options = null) : IExplanationMetric
{
    /// <summary>The settings.</summary>
    public MonotonicityCorrelationOptions Options { get; } = options ?? new MonotonicityCorrelationOptions();

    /// <inheritdoc/>
    public string Name => "monotonicity-correlation";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Faithfulness;
    /// <inheritdoc/>
    public bool HigherIsBetter => true;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.Forward;

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, CancellationToken cancel = default)
    {
        PerturbationTrials.AtLeast(Name, "nr-samples", Options.NrSamples, 1);
        PerturbationTrials.AtLeast(Name, "features-in-step", Options.FeaturesInStep, 1);
        PerturbationTrials.AtLeast(Name, "batch-size", Options.BatchSize, 1);
        if (!(Options.UniformHigh >= Options.UniformLow))
            throw new GlassboxException($"{Name}: uniform-high ({Options.UniformHigh}) must not be below uniform-low ({Options.UniformLow}).");
        MetricInputs.CheckExplained(model, inputs, explanation, Name);
        int n = explanation.Count, k = explanation.TargetsPerInput, d = explanation.MapSize, step = Options.FeaturesInStep;
        int steps = (d + step - 1) / step;
        var pixels = PerturbationTrials.Pixels(inputs);
        var rng = new Random(Options.Seed);
        var scores = new double[n * k];
        var sums = new double[n * k][];
        var variances = new double[n * k][];
        var batch = new float[Options.NrSamples * d];
        for (int m = 0; m < n * k; m++)
        {
            int image = m / k, target = explanation.Targets[m];
            var x = pixels.AsSpan(image * d, d).ToArray();
            var a = PerturbationTrials.Prepare(explanation.Map(image, m % k), Options.Absolute, Options.Normalise);
            var order = PerturbationTrials.Ascending(a);
            double y = PerturbationTrials.Scores(model, x, 1, target, explanation.Output, 1)[0];
            double scale = Math.Abs(y) >= Options.Eps ? 1 / (y * y) : 1;
            sums[m] = new double[steps];
            variances[m] = new double[steps];
            for (int s = 0; s < steps; s++)
            {
                cancel.ThrowIfCancellationRequested();
                int from = s * step, to = Math.Min(d, from + step);
                for (int r = 0; r < Options.NrSamples; r++)
                {
                    var copy = batch.AsSpan(r * d, d);
                    x.CopyTo(copy);
                    float u = (float)(Options.UniformLow + (Options.UniformHigh - Options.UniformLow) * rng.NextDouble());
                    for (int i = from; i < to; i++) copy[order[i]] = u;
                }
                var after = PerturbationTrials.Scores(model, batch, Options.NrSamples, target, explanation.Output, Options.BatchSize);
                variances[m][s] = after.Average(v => (v - y) * (v - y)) * scale;
                for (int i = from; i < to; i++) sums[m][s] += a[order[i]];
            }
            scores[m] = PerturbationTrials.Spearman(sums[m], variances[m]);
        }
        return new MetricResult(Name, scores, Options, new MonotonicityCorrelationDetail(sums, variances));
    }
}

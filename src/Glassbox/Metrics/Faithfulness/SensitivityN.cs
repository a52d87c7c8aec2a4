using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Metrics.Common;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Faithfulness;

/// <summary>Settings for <see cref="SensitivityN"/>.</summary>
/// <param name="NMaxPercentage">Largest subset as a share of the map's C·H·W features (Quantus <c>n_max_percentage</c>).</param>
/// <param name="Points">Subset sizes n, spaced logarithmically from 1 to the largest (Ancona et al. plot n on a log axis).</param>
/// <param name="NrSamples">Random subsets of each size per map.</param>
/// <param name="Absolute">Use |φ| (Quantus <c>abs</c>).</param>
/// <param name="Normalise">Divide by max |φ| first (Quantus <c>normalise</c>; Pearson's r does not change).</param>
/// <param name="PerturbBaseline">Value removed features take (Quantus <c>perturb_baseline</c>; 0 is black for pixels in [0,1], where Quantus' "black" is each image's smallest value).</param>
/// <param name="Seed">Seeds the random subsets.</param>
/// <param name="BatchSize">Perturbed images per forward pass.</param>
public sealed record SensitivityNOptions(
    [property: Option("n-max-percentage", Reference = "n_max_percentage", Min = 0, Max = 1, Help = "Largest subset as a share of the features")] double NMaxPercentage = 0.8,
    [property: Option("points", Min = 1, Max = 1000, Help = "Subset sizes n, log-spaced from 1 to the largest")] int Points = 10,
    [property: Option("nr-samples", Min = 2, Max = 100000, Help = "Random subsets of each size")] int NrSamples = 100,
    [property: Option("abs", Reference = "abs", Help = "Use absolute attributions")] bool Absolute = false,
    [property: Option("normalise", Reference = "normalise", Help = "Divide attributions by their largest magnitude")] bool Normalise = true,
    [property: Option("perturb-baseline", Reference = "perturb_baseline", Help = "Value removed features take (0 = black)")] double PerturbBaseline = 0,
    [property: Option("seed", Min = 0, Max = int.MaxValue, Help = "Seed of the random subsets")] int Seed = 0,
    [property: Option("batch-size", Min = 1, Max = 100000, Help = "Perturbed images per forward pass")] int BatchSize = 256);

/// <summary>The sensitivity-n curves behind <see cref="SensitivityN"/>'s scores.</summary>
/// <param name="N">The subset sizes.</param>
/// <param name="Correlations">Per map [n·K+k], Pearson's r at each subset size (NaN where a side is constant).</param>
public sealed record SensitivityNCurves(int[] N, double[][] Correlations);

/// <summary>
/// Sensitivity-n (Ancona et al. 2018, "Towards Better Understanding of Gradient-based Attribution Methods for Deep
/// Neural Networks"): for each subset size n, remove random subsets of n features (set them to the baseline) and take
/// Pearson's r between the attributions summed over the subset and the drop of the explained output. A map scores the
/// mean r over the sizes (higher is better); the detail holds the whole curve r(n). Quantus' <c>SensitivityN</c>
/// instead removes features cumulatively in attribution order and correlates across the images of a batch per n, so it
/// yields one value per n, not per map.
/// </summary>
public sealed class SensitivityN(SensitivityNOptions? options = null) : IExplanationMetric
{
    /// <summary>The settings.</summary>
    public SensitivityNOptions Options { get; } = options ?? new SensitivityNOptions();

    /// <inheritdoc/>
    public string Name => "sensitivity-n";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Faithfulness;
    /// <inheritdoc/>
    public bool HigherIsBetter => true;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.Forward;

    /// <summary>The subset sizes for maps of <paramref name="features"/> values: log-spaced from 1 to ⌊share·features⌋, distinct.</summary>
    public static int[] SubsetSizes(int features, double share, int points)
    {
        int max = Math.Max(1, (int)Math.Floor(share * features));
        max = Math.Min(max, Math.Max(1, features - 1));
        if (points == 1) return [max];
        var sizes = new SortedSet<int>();
        for (int i = 0; i < points; i++)
            sizes.Add((int)Math.Round(Math.Exp(Math.Log(max) * i / (points - 1))));
        return sizes.ToArray();
    }

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, CancellationToken cancel = default)
    {
        PerturbationTrials.AtLeast(Name, "points", Options.Points, 1);
        PerturbationTrials.AtLeast(Name, "nr-samples", Options.NrSamples, 2);
        PerturbationTrials.AtLeast(Name, "batch-size", Options.BatchSize, 1);
        if (!(Options.NMaxPercentage > 0 && Options.NMaxPercentage <= 1))
            throw new GlassboxException($"{Name}: n-max-percentage must be in (0, 1], not {Options.NMaxPercentage}.");
        MetricInputs.CheckExplained(model, inputs, explanation, Name);
        int n = explanation.Count, k = explanation.TargetsPerInput, d = explanation.MapSize;
        if (d < 2) throw new GlassboxException($"{Name} needs images of at least 2 values to pick subsets from.");
        var sizes = SubsetSizes(d, Options.NMaxPercentage, Options.Points);
        var pixels = PerturbationTrials.Pixels(inputs);
        var rng = new Random(Options.Seed);
        var scores = new double[n * k];
        var curves = new double[n * k][];
        var batch = new float[Options.NrSamples * d];
        var pool = new int[d];
        var sums = new double[Options.NrSamples];
        for (int m = 0; m < n * k; m++)
        {
            int image = m / k, target = explanation.Targets[m];
            var x = pixels.AsSpan(image * d, d).ToArray();
            var a = PerturbationTrials.Prepare(explanation.Map(image, m % k), Options.Absolute, Options.Normalise);
            float fill = (float)Options.PerturbBaseline;
            double y = PerturbationTrials.Scores(model, x, 1, target, explanation.Output, 1)[0];
            curves[m] = new double[sizes.Length];
            for (int s = 0; s < sizes.Length; s++)
            {
                cancel.ThrowIfCancellationRequested();
                for (int r = 0; r < Options.NrSamples; r++)
                {
                    var copy = batch.AsSpan(r * d, d);
                    x.CopyTo(copy);
                    for (int i = 0; i < d; i++) pool[i] = i;
                    double sum = 0;
                    for (int i = 0; i < sizes[s]; i++)
                    {
                        int j = rng.Next(i, d);
                        (pool[i], pool[j]) = (pool[j], pool[i]);
                        copy[pool[i]] = fill;
                        sum += a[pool[i]];
                    }
                    sums[r] = sum;
                }
                var after = PerturbationTrials.Scores(model, batch, Options.NrSamples, target, explanation.Output, Options.BatchSize);
                curves[m][s] = PerturbationTrials.Pearson(sums, after.Select(v => y - v).ToArray());
            }
            var finite = curves[m].Where(double.IsFinite).ToArray();
            scores[m] = finite.Length == 0 ? double.NaN : finite.Average();
        }
        return new MetricResult(Name, scores, Options, new SensitivityNCurves(sizes, curves));
    }
}

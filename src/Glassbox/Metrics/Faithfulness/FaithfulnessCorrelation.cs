using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Metrics.Common;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Faithfulness;

/// <summary>Settings for <see cref="FaithfulnessCorrelation"/> (Quantus' defaults).</summary>
/// <param name="NrRuns">Random subsets per map (Quantus <c>nr_runs</c>).</param>
/// <param name="SubsetSize">Features set to the baseline per run (Quantus <c>subset_size</c>, 224); clamped to one less than
/// the map's C·H·W values on smaller images (Quantus refuses those), and the result's detail says so.</param>
/// <param name="Absolute">Correlate |φ| (Quantus <c>abs</c>).</param>
/// <param name="Normalise">Divide by max |φ| first (Quantus <c>normalise</c>; Pearson's r does not change).</param>
/// <param name="PerturbBaseline">Value removed features take (Quantus <c>perturb_baseline</c>; 0 is black for pixels in [0,1], where Quantus' "black" is each image's smallest value).</param>
/// <param name="Seed">Seeds the random subsets.</param>
/// <param name="BatchSize">Perturbed images per forward pass.</param>
public sealed record FaithfulnessCorrelationOptions(
    [property: Option("nr-runs", Reference = "nr_runs", Min = 2, Max = 100000, Help = "Random subsets per map")] int NrRuns = 100,
    [property: Option("subset-size", Reference = "subset_size", Min = 1, Max = 10000000, Help = "Features replaced per run (clamped below the image size)")] int SubsetSize = 224,
    [property: Option("abs", Reference = "abs", Help = "Correlate absolute attributions")] bool Absolute = false,
    [property: Option("normalise", Reference = "normalise", Help = "Divide attributions by their largest magnitude")] bool Normalise = true,
    [property: Option("perturb-baseline", Reference = "perturb_baseline", Help = "Value removed features take (0 = black)")] double PerturbBaseline = 0,
    [property: Option("seed", Min = 0, Max = int.MaxValue, Help = "Seed of the random subsets")] int Seed = 0,
    [property: Option("batch-size", Min = 1, Max = 100000, Help = "Perturbed images per forward pass")] int BatchSize = 256);

/// <summary>The subsets behind <see cref="FaithfulnessCorrelation"/>'s scores.</summary>
/// <param name="SubsetSize">Features replaced per run, after clamping.</param>
/// <param name="Clamped">True when the requested subset size did not fit the image and was clamped.</param>
/// <param name="AttributionSums">Per map [n·K+k], Σφ over each run's subset.</param>
/// <param name="OutputDrops">Per map, f(x) − f(x with the subset replaced) of each run.</param>
public sealed record FaithfulnessCorrelationDetail(int SubsetSize, bool Clamped, double[][] AttributionSums, double[][] OutputDrops);

/// <summary>
/// Faithfulness correlation (Bhatt, Weller and Moura 2020, "Evaluating and Aggregating Feature-based Model Explanations"),
/// as Quantus' <c>FaithfulnessCorrelation</c>: replace a random subset of features by the baseline, many times, and
/// score each map by Pearson's r between the attributions summed over the subset and the drop in the explained output.
/// Higher is better; NaN when either side never varies.
/// </summary>
public sealed class FaithfulnessCorrelation(FaithfulnessCorrelationOptions? options = null) : IExplanationMetric
{
    /// <summary>The settings.</summary>
    public FaithfulnessCorrelationOptions Options { get; } = options ?? new FaithfulnessCorrelationOptions();

    /// <inheritdoc/>
    public string Name => "faithfulness-correlation";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Faithfulness;
    /// <inheritdoc/>
    public bool HigherIsBetter => true;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.Forward;

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, CancellationToken cancel = default)
    {
        PerturbationTrials.AtLeast(Name, "nr-runs", Options.NrRuns, 2);
        PerturbationTrials.AtLeast(Name, "subset-size", Options.SubsetSize, 1);
        PerturbationTrials.AtLeast(Name, "batch-size", Options.BatchSize, 1);
        MetricInputs.CheckExplained(model, inputs, explanation, Name);
        int n = explanation.Count, k = explanation.TargetsPerInput, d = explanation.MapSize;
        if (d < 2) throw new GlassboxException($"{Name} needs images of at least 2 values to pick subsets from.");
        int size = Math.Min(Options.SubsetSize, d - 1);
        var pixels = PerturbationTrials.Pixels(inputs);
        var rng = new Random(Options.Seed);
        var scores = new double[n * k];
        var sums = new double[n * k][];
        var drops = new double[n * k][];
        var batch = new float[Options.NrRuns * d];
        var pool = new int[d];
        for (int m = 0; m < n * k; m++)
        {
            cancel.ThrowIfCancellationRequested();
            int image = m / k;
            var x = pixels.AsSpan(image * d, d);
            var a = PerturbationTrials.Prepare(explanation.Map(image, m % k), Options.Absolute, Options.Normalise);
            float fill = (float)Options.PerturbBaseline;
            sums[m] = new double[Options.NrRuns];
            for (int r = 0; r < Options.NrRuns; r++)
            {
                var copy = batch.AsSpan(r * d, d);
                x.CopyTo(copy);
                for (int i = 0; i < d; i++) pool[i] = i;
                double sum = 0;
                for (int i = 0; i < size; i++)
                {
                    int j = rng.Next(i, d);
                    (pool[i], pool[j]) = (pool[j], pool[i]);
                    copy[pool[i]] = fill;
                    sum += a[pool[i]];
                }
                sums[m][r] = sum;
            }
            var target = explanation.Targets[m];
            double y = PerturbationTrials.Scores(model, pixels.AsSpan(image * d, d).ToArray(), 1, target, explanation.Output, 1)[0];
            var after = PerturbationTrials.Scores(model, batch, Options.NrRuns, target, explanation.Output, Options.BatchSize);
            drops[m] = after.Select(v => y - v).ToArray();
            scores[m] = PerturbationTrials.Pearson(sums[m], drops[m]);
        }
        var settings = Options with { SubsetSize = size };
        return new MetricResult(Name, scores, settings, new FaithfulnessCorrelationDetail(size, size != Options.SubsetSize, sums, drops));
    }
}

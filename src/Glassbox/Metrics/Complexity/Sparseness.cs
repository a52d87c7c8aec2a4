using Glassbox.Attribution.Catalog;
using Glassbox.Attribution;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Complexity;

/// <summary>Settings for <see cref="Sparseness"/> (Quantus' defaults).</summary>
/// <param name="Absolute">Score |φ| (Quantus <c>abs=True</c>).</param>
/// <param name="Normalise">Divide by max |φ| first (Quantus <c>normalise=True</c>, <c>normalise_by_max</c>); the Gini index
/// is scale-free, so this only changes how much the 1e-7 offset weighs.</param>
public sealed record SparsenessOptions(
    [property: Option("abs", Reference = "abs", Help = "Score |attribution| (Quantus abs=True)")] bool Absolute = true,
    [property: Option("normalise", Reference = "normalise", Help = "Divide by max |attribution| first (Quantus normalise=True)")] bool Normalise = true);

/// <summary>
/// Sparseness (Chalasani et al. 2020, "Concise Explanations of Neural Networks using Adversarial Training"), as Quantus'
/// <c>Sparseness</c>: the Gini index of the map's pixel values, <c>Σ_i (2i − n − 1) a_(i) / (n Σ a)</c> over the
/// values sorted ascending, each offset by 1e-7 — 0 when every pixel weighs the same, (n − 1)/n when one pixel holds
/// everything. Higher is sparser. Multi-channel maps are summed over channels per pixel first (Quantus scores the
/// H×W map it is given). Needs nothing from the model.
/// </summary>
public sealed class Sparseness(SparsenessOptions? options = null) : IExplanationMetric
{
    /// <summary>The settings.</summary>
    public SparsenessOptions Options { get; } = options ?? new SparsenessOptions();

    /// <inheritdoc/>
    public string Name => "sparseness";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Complexity;
    /// <inheritdoc/>
    public bool HigherIsBetter => true;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.None;

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, CancellationToken cancel = default)
    {
        int count = explanation.Count * explanation.TargetsPerInput;
        int c = explanation.Shape[2], pixels = explanation.Shape[3] * explanation.Shape[4];
        var scores = new double[count];
        var a = new double[pixels];
        for (int m = 0; m < count; m++)
        {
            cancel.ThrowIfCancellationRequested();
            var map = explanation.Values.AsSpan(m * explanation.MapSize, explanation.MapSize);
            Array.Clear(a);
            for (int ch = 0; ch < c; ch++)
                for (int p = 0; p < pixels; p++) a[p] += map[ch * pixels + p];
            scores[m] = Gini(a, Options);
        }
        return new MetricResult(Name, scores, Options);
    }

    /// <summary>The Gini index of <paramref name="values"/> as Quantus computes it (changes <paramref name="values"/>).</summary>
    public static double Gini(double[] values, SparsenessOptions options)
    {
        if (options.Absolute) for (int i = 0; i < values.Length; i++) values[i] = Math.Abs(values[i]);
        double max = values.Max(Math.Abs);
        if (options.Normalise && max > 0) for (int i = 0; i < values.Length; i++) values[i] /= max;
        for (int i = 0; i < values.Length; i++) values[i] += 1e-7;
        Array.Sort(values);
        int n = values.Length;
        double weighted = 0, sum = 0;
        for (int i = 0; i < n; i++)
        {
            weighted += (2.0 * (i + 1) - n - 1) * values[i];
            sum += values[i];
        }
        return weighted / (n * sum);
    }
}

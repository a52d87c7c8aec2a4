using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Localisation;

/// <summary>Settings for <see cref="Auc"/> (Quantus' defaults).</summary>
/// <param name="Absolute">Score pixels by |φ| instead of φ (Quantus <c>abs</c>).</param>
public sealed record AucOptions(
    [property: Option("abs", Reference = "abs", Help = "Score pixels by |attribution| instead of the signed value")] bool Absolute = false);

/// <summary>
/// Area under the ROC curve of the map as a detector of the evidence (Fawcett 2006, "An introduction to ROC
/// analysis"), as Quantus' <c>AUC</c>: the probability that a random evidence pixel scores higher than a random
/// other pixel, ties counting one half (the Mann–Whitney form of the trapezoid area). 1 = every evidence pixel
/// outranks every other, 0.5 = chance; NaN when the mask covers the whole image.
/// </summary>
public sealed class Auc(AucOptions? options = null) : ILocalisationMetric
{
    /// <summary>The settings.</summary>
    public AucOptions Options { get; } = options ?? new AucOptions();

    /// <inheritdoc/>
    public string Name => "auc";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Localisation;
    /// <inheritdoc/>
    public bool HigherIsBetter => true;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.None;

    /// <inheritdoc/>
    public MetricResult Evaluate(Explanation explanation, Tensor masks, CancellationToken cancel = default)
        => new(Name, LocalisationMaps.Scores(explanation, masks, Name, Options.Absolute, Score, cancel), Options);

    /// <summary>ROC AUC of <paramref name="scores"/> against <paramref name="positive"/>; NaN without both classes.</summary>
    public static double Score(double[] scores, bool[] positive, int positives)
    {
        int n = scores.Length, negatives = n - positives;
        if (positives == 0 || negatives == 0) return double.NaN;
        var idx = Enumerable.Range(0, n).ToArray();
        Array.Sort(idx, (a, b) => scores[a].CompareTo(scores[b]));
        double rankSum = 0;
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && scores[idx[j + 1]] == scores[idx[i]]) j++;
            double rank = (i + j) / 2.0 + 1;
            for (int t = i; t <= j; t++) if (positive[idx[t]]) rankSum += rank;
            i = j + 1;
        }
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }
}

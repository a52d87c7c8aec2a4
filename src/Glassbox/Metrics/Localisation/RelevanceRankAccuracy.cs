using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Localisation;

/// <summary>Settings for <see cref="RelevanceRankAccuracy"/> (Quantus' defaults).</summary>
/// <param name="Absolute">Rank |φ| instead of φ (Quantus <c>abs</c>).</param>
public sealed record RelevanceRankAccuracyOptions(
    [property: Option("abs", Reference = "abs", Help = "Rank |attribution| instead of the signed value")] bool Absolute = false);

/// <summary>
/// Relevance rank accuracy (Arras, Osman and Samek 2022, "CLEVR-XAI"), as Quantus' <c>RelevanceRankAccuracy</c>: with K
/// the number of evidence pixels, the share of the map's K highest pixels that lie on the evidence. 1 = the evidence
/// is exactly the top of the map; a random map scores the evidence's area share on average. Ties are ranked by pixel
/// index (lower first).
/// </summary>
public sealed class RelevanceRankAccuracy(RelevanceRankAccuracyOptions? options = null) : ILocalisationMetric
{
    /// <summary>The settings.</summary>
    public RelevanceRankAccuracyOptions Options { get; } = options ?? new RelevanceRankAccuracyOptions();

    /// <inheritdoc/>
    public string Name => "relevance-rank-accuracy";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Localisation;
    /// <inheritdoc/>
    public bool HigherIsBetter => true;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.None;

    /// <inheritdoc/>
    public MetricResult Evaluate(Explanation explanation, Tensor masks, CancellationToken cancel = default)
        => new(Name, LocalisationMaps.Scores(explanation, masks, Name, Options.Absolute, Score, cancel), Options);

    private static double Score(double[] map, bool[] mask, int evidence)
    {
        var order = LocalisationMaps.Descending(map);
        int hits = 0;
        for (int r = 0; r < evidence; r++) if (mask[order[r]]) hits++;
        return (double)hits / evidence;
    }
}

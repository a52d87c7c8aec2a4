using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Localisation;

/// <summary>Settings for <see cref="RelevanceMassAccuracy"/> (Quantus' defaults).</summary>
/// <param name="Absolute">Use |φ| instead of φ (Quantus <c>abs</c>).</param>
public sealed record RelevanceMassAccuracyOptions(
    [property: Option("abs", Reference = "abs", Help = "Use |attribution| instead of the signed value")] bool Absolute = false);

/// <summary>
/// Relevance mass accuracy (Arras, Osman and Samek 2022, "CLEVR-XAI"), as Quantus' <c>RelevanceMassAccuracy</c>: the
/// share of the map's total relevance that falls on the evidence, Σ_{p∈mask} φ_p / Σ_p φ_p. 1 = all relevance on the
/// evidence; with signed maps the ratio can leave [0, 1] (NaN when the map sums to 0).
/// </summary>
public sealed class RelevanceMassAccuracy(RelevanceMassAccuracyOptions? options = null) : ILocalisationMetric
{
    /// <summary>The settings.</summary>
    public RelevanceMassAccuracyOptions Options { get; } = options ?? new RelevanceMassAccuracyOptions();

    /// <inheritdoc/>
    public string Name => "relevance-mass-accuracy";
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
        double within = 0, total = 0;
        for (int p = 0; p < map.Length; p++)
        {
            total += map[p];
            if (mask[p]) within += map[p];
        }
        return total == 0 ? double.NaN : within / total;
    }
}

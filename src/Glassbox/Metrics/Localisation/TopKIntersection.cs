using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Localisation;

/// <summary>Settings for <see cref="TopKIntersection"/> (Quantus' defaults).</summary>
/// <param name="K">Pixels in the map's top (Quantus <c>k</c>; must be below the pixel count, as Quantus asserts). Null = Quantus'
/// 1000 of 224×224 as a share of the map: round(pixels · 1000/50176), at least 1 (16 on 28×28); 1000 is one option away.</param>
/// <param name="ConceptInfluence">Multiply by pixels / evidence pixels, normalising by the evidence's size (Quantus <c>concept_influence</c>).</param>
/// <param name="Absolute">Rank |φ| instead of φ (Quantus <c>abs</c>).</param>
public sealed record TopKIntersectionOptions(
    [property: Option("k", Reference = "k", Min = 1, Max = 100000000, Default = "1000/50176 of the pixels (Quantus' 1000 on 224×224)", Help = "Pixels in the map's top")] int? K = null,
    [property: Option("concept-influence", Reference = "concept_influence", Help = "Normalise by the evidence's area share")] bool ConceptInfluence = false,
    [property: Option("abs", Reference = "abs", Help = "Rank |attribution| instead of the signed value")] bool Absolute = false);

/// <summary>
/// Top-k intersection (Theiner, Müller-Budack and Ewerth 2021, "Interpretable Semantic Photo Geolocation"), as Quantus'
/// <c>TopKIntersection</c>: the share of the map's k highest pixels that lie on the evidence (ties ranked by pixel
/// index). With concept influence the share is divided by the evidence's area share, so 1 means chance level.
/// </summary>
public sealed class TopKIntersection(TopKIntersectionOptions? options = null) : ILocalisationMetric
{
    /// <summary>The settings.</summary>
    public TopKIntersectionOptions Options { get; } = options ?? new TopKIntersectionOptions();

    /// <inheritdoc/>
    public string Name => "top-k-intersection";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Localisation;
    /// <inheritdoc/>
    public bool HigherIsBetter => true;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.None;

    /// <inheritdoc/>
    public MetricResult Evaluate(Explanation explanation, Tensor masks, CancellationToken cancel = default)
    {
        int pixels = explanation.Shape.Length == 5 ? explanation.Shape[3] * explanation.Shape[4] : 0;
        int k = Options.K ?? DefaultK(pixels);
        if (k < 1 || k >= pixels)
            throw new GlassboxException(
                $"top-k-intersection: k = {k} must be at least 1 and below the {pixels} pixels of a map; pass a smaller k (e.g. --metric-option top-k-intersection.k={Math.Max(1, pixels / 10)}).");
        return new(Name, LocalisationMaps.Scores(explanation, masks, Name, Options.Absolute, (map, mask, evidence) => Score(map, mask, evidence, k), cancel),
            Options with { K = k });
    }

    /// <summary>Quantus' default k = 1000 on 224×224 maps, as the same share of <paramref name="pixels"/> (at least 1).</summary>
    public static int DefaultK(int pixels) => Math.Max(1, (int)Math.Round(pixels * 1000.0 / (224 * 224)));

    private double Score(double[] map, bool[] mask, int evidence, int k)
    {
        var order = LocalisationMaps.Descending(map);
        int hits = 0;
        for (int r = 0; r < k; r++) if (mask[order[r]]) hits++;
        double share = (double)hits / k;
        return Options.ConceptInfluence ? share * map.Length / evidence : share;
    }
}

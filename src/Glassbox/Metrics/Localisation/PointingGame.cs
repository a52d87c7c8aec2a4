using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Localisation;

/// <summary>Settings for <see cref="PointingGame"/> (Quantus' defaults).</summary>
/// <param name="Weighted">Weight a hit by 1 − (evidence area / image area), so hits on small evidence count more (Quantus <c>weighted</c>).</param>
/// <param name="Absolute">Point with |φ| instead of φ (Quantus <c>abs</c>).</param>
public sealed record PointingGameOptions(
    [property: Option("weighted", Reference = "weighted", Help = "Weight a hit by 1 − evidence area share")] bool Weighted = false,
    [property: Option("abs", Reference = "abs", Help = "Point with |attribution| instead of the signed value")] bool Absolute = false);

/// <summary>
/// The pointing game (Zhang et al. 2018, "Top-down Neural Attention by Excitation Backprop"), as Quantus'
/// <c>PointingGame</c>: a map scores 1 when a pixel holding its largest value lies on the evidence, else 0 (ties: any
/// maximal pixel on the evidence is a hit). A random map scores the evidence's area share on average.
/// </summary>
public sealed class PointingGame(PointingGameOptions? options = null) : ILocalisationMetric
{
    /// <summary>The settings.</summary>
    public PointingGameOptions Options { get; } = options ?? new PointingGameOptions();

    /// <inheritdoc/>
    public string Name => "pointing-game";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Localisation;
    /// <inheritdoc/>
    public bool HigherIsBetter => true;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.None;

    /// <inheritdoc/>
    public MetricResult Evaluate(Explanation explanation, Tensor masks, CancellationToken cancel = default)
        => new(Name, LocalisationMaps.Scores(explanation, masks, Name, Options.Absolute, Score, cancel), Options);

    private double Score(double[] map, bool[] mask, int evidence)
    {
        double max = map.Max();
        bool hit = false;
        for (int p = 0; p < map.Length && !hit; p++) hit = mask[p] && map[p] == max;
        if (!hit) return 0;
        return Options.Weighted ? 1 - (double)evidence / map.Length : 1;
    }
}

using Glassbox.Attribution.Catalog;
using Glassbox.Attribution;
using Glassbox.Metrics.Common;

namespace Glassbox.Metrics.Agreement;

/// <summary>Settings for <see cref="TopFractionOverlap"/>.</summary>
/// <param name="Fraction">Share of the pixels that counts as the top, in (0, 1].</param>
/// <param name="Absolute">Rank |φ| instead of φ (negative evidence counts as important too).</param>
public sealed record TopFractionOverlapOptions(
    [property: Option("fraction", Min = 1e-6, Max = 1, Help = "Share of the pixels that counts as a map's top")] double Fraction = 0.1,
    [property: Option("abs", Help = "Rank |attribution| instead of the signed value")] bool Absolute = false);

/// <summary>
/// Overlap of the most important pixels of two attribution maps: the share of map A's top fraction (by signed
/// value: the strongest evidence for the class) that is also in map B's top fraction. 1 = same pixels; the
/// expected value for unrelated maps equals the fraction itself. As a pairwise metric each map [n·K+k] scores the
/// overlap of the two explanations' maps.
/// </summary>
public sealed class TopFractionOverlap(TopFractionOverlapOptions? options = null) : IPairwiseMetric
{
    /// <summary>The settings.</summary>
    public TopFractionOverlapOptions Options { get; } = options ?? new TopFractionOverlapOptions();

    /// <inheritdoc/>
    public string Name => "top-fraction-overlap";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Agreement;
    /// <inheritdoc/>
    public bool HigherIsBetter => true;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.None;

    /// <inheritdoc/>
    public MetricResult Evaluate(Explanation a, Explanation b, CancellationToken cancel = default)
    {
        if (!(Options.Fraction > 0 && Options.Fraction <= 1))
            throw new GlassboxException($"The top fraction must be in (0, 1], not {Options.Fraction}.");
        return new(Name, Pairwise.Scores(a, b, Name, Options.Absolute, (x, y) => Compute(x, y, Options.Fraction), cancel), Options);
    }

    /// <summary>|top(a) ∩ top(b)| / k with k = ceil(fraction · length); ties broken by pixel index.</summary>
    public static double Compute(ReadOnlySpan<float> a, ReadOnlySpan<float> b, double fraction = 0.1)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Maps differ in size ({a.Length} vs {b.Length}).");
        if (!(fraction > 0 && fraction <= 1)) throw new ArgumentOutOfRangeException(nameof(fraction), "The fraction must be in (0, 1].");
        int k = (int)Math.Ceiling(fraction * a.Length);
        var ta = new HashSet<int>(Top(a, k));
        int shared = Top(b, k).Count(ta.Contains);
        return (double)shared / k;
    }

    /// <summary>Indices of the <paramref name="k"/> largest values, largest first (ties: lower index first).</summary>
    public static int[] Top(ReadOnlySpan<float> values, int k)
    {
        var idx = Enumerable.Range(0, values.Length).ToArray();
        var keys = values.ToArray();
        Array.Sort(idx, (i, j) => keys[j] != keys[i] ? keys[j].CompareTo(keys[i]) : i.CompareTo(j));
        return idx.Take(k).ToArray();
    }
}

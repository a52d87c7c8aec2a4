using Glassbox.Attribution.Catalog;
using Glassbox.Attribution;
using Glassbox.Metrics.Common;

namespace Glassbox.Metrics.Agreement;

/// <summary>Settings for <see cref="SpearmanRankCorrelation"/>.</summary>
/// <param name="Absolute">Rank |φ| instead of φ (compare importance regardless of sign, as Quantus' randomisation metrics do with <c>abs=True</c>).</param>
public sealed record SpearmanRankCorrelationOptions(
    [property: Option("abs", Reference = "abs", Help = "Rank |attribution| instead of the signed value")] bool Absolute = false);

/// <summary>
/// Spearman's rank correlation (Spearman 1904) between two attribution maps: the Pearson correlation of their
/// ranks, ties given their average rank. 1 = same ordering of pixels, 0 = unrelated, −1 = reversed. As a pairwise
/// metric each map [n·K+k] scores ρ between the two explanations' maps (NaN where either map is constant).
/// </summary>
public sealed class SpearmanRankCorrelation(SpearmanRankCorrelationOptions? options = null) : IPairwiseMetric
{
    /// <summary>The settings.</summary>
    public SpearmanRankCorrelationOptions Options { get; } = options ?? new SpearmanRankCorrelationOptions();

    /// <inheritdoc/>
    public string Name => "spearman-rank-correlation";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Agreement;
    /// <inheritdoc/>
    public bool HigherIsBetter => true;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.None;

    /// <inheritdoc/>
    public MetricResult Evaluate(Explanation a, Explanation b, CancellationToken cancel = default)
        => new(Name, Pairwise.Scores(a, b, Name, Options.Absolute, (x, y) => Compute(x, y), cancel), Options);

    /// <summary>ρ between <paramref name="a"/> and <paramref name="b"/> (same length ≥ 2); NaN when either is constant.</summary>
    public static double Compute(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        if (a.Length != b.Length) throw new ArgumentException($"Maps differ in size ({a.Length} vs {b.Length}).");
        if (a.Length < 2) return double.NaN;
        double[] ra = Ranks(a), rb = Ranks(b);
        double ma = ra.Average(), mb = rb.Average();
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < ra.Length; i++)
        {
            double da = ra[i] - ma, db = rb[i] - mb;
            sab += da * db; saa += da * da; sbb += db * db;
        }
        return saa == 0 || sbb == 0 ? double.NaN : sab / Math.Sqrt(saa * sbb);
    }

    /// <summary>1-based ranks with ties averaged.</summary>
    public static double[] Ranks(ReadOnlySpan<float> values)
    {
        int n = values.Length;
        var idx = new int[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        var copy = values.ToArray();
        Array.Sort(copy, idx);
        var ranks = new double[n];
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && copy[j + 1] == copy[i]) j++;
            double avg = (i + j) / 2.0 + 1;
            for (int t = i; t <= j; t++) ranks[idx[t]] = avg;
            i = j + 1;
        }
        return ranks;
    }
}

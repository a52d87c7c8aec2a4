namespace Glassbox.Metrics.Agreement;

/// <summary>
/// Overlap of the most important pixels of two attribution maps: the share of map A's top fraction (by signed
/// value: the strongest evidence for the class) that is also in map B's top fraction. 1 = same pixels; the
/// expected value for unrelated maps equals the fraction itself.
/// </summary>
public static class TopFractionOverlap
{
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

namespace Glassbox.Generation.Explain.Disentanglement;

/// <summary>
/// Plug-in estimates of entropy and mutual information of discrete variables (natural logarithms, nats), as
/// scikit-learn's <c>mutual_info_score</c> that disentanglement_lib uses, and the histogram discretiser of its MIG
/// (numpy's <c>histogram</c> edges and <c>digitize</c>).
/// </summary>
public static class MutualInformation
{
    /// <summary>I(a; b) = Σ p(a,b) log(p(a,b) / (p(a) p(b))) from the joint counts of two equally long label arrays.</summary>
    public static double Discrete(IReadOnlyList<int> a, IReadOnlyList<int> b)
    {
        if (a.Count != b.Count) throw new GlassboxException($"Mutual information needs two equally long label arrays, not {a.Count} and {b.Count}.");
        if (a.Count == 0) throw new GlassboxException("Mutual information needs at least one observation.");
        var joint = new Dictionary<(int, int), int>();
        var ca = new Dictionary<int, int>();
        var cb = new Dictionary<int, int>();
        for (int i = 0; i < a.Count; i++)
        {
            joint[(a[i], b[i])] = joint.GetValueOrDefault((a[i], b[i])) + 1;
            ca[a[i]] = ca.GetValueOrDefault(a[i]) + 1;
            cb[b[i]] = cb.GetValueOrDefault(b[i]) + 1;
        }
        double n = a.Count, mi = 0;
        foreach (var ((x, y), c) in joint)
            mi += c / n * Math.Log(c * n / ((double)ca[x] * cb[y]));
        return Math.Max(mi, 0);
    }

    /// <summary>H(a) = −Σ p(a) log p(a) (= I(a; a)).</summary>
    public static double Entropy(IReadOnlyList<int> a)
    {
        if (a.Count == 0) throw new GlassboxException("Entropy needs at least one observation.");
        double n = a.Count, h = 0;
        foreach (var g in a.GroupBy(v => v))
        {
            double p = g.Count() / n;
            h -= p * Math.Log(p);
        }
        return h;
    }

    /// <summary>
    /// Bin indices 1..<paramref name="bins"/> of <paramref name="values"/> in <paramref name="bins"/> equal-width bins
    /// between their minimum and maximum (the maximum falls in the last bin; a constant array in bin 1 when the
    /// range is widened by ±0.5 as numpy does) — disentanglement_lib's <c>histogram_discretizer</c>.
    /// </summary>
    public static int[] HistogramDiscretize(IReadOnlyList<double> values, int bins)
    {
        if (bins < 1) throw new GlassboxException($"A histogram needs at least one bin, not {bins}.");
        if (values.Count == 0) throw new GlassboxException("Cannot discretise an empty array.");
        double lo = values.Min(), hi = values.Max();
        if (lo == hi) { lo -= 0.5; hi += 0.5; }
        double step = (hi - lo) / bins;
        var leftEdges = Enumerable.Range(0, bins).Select(j => lo + j * step).ToArray();
        var result = new int[values.Count];
        for (int i = 0; i < values.Count; i++)
        {
            // digitize(x, leftEdges): the number of left edges ≤ x.
            int idx = Array.BinarySearch(leftEdges, values[i]);
            result[i] = idx >= 0 ? LastEqual(leftEdges, idx) + 1 : ~idx;
        }
        return result;
    }

    private static int LastEqual(double[] edges, int idx)
    {
        while (idx + 1 < edges.Length && edges[idx + 1] == edges[idx]) idx++;
        return idx;
    }
}

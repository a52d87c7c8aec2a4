using Glassbox.Attribution;

namespace Glassbox.Metrics.Common;

/// <summary>Compares two explanations map by map.</summary>
internal static class Pairwise
{
    /// <summary>A comparison of two maps of equal length.</summary>
    public delegate double MapComparison(ReadOnlySpan<float> a, ReadOnlySpan<float> b);

    /// <summary><paramref name="compare"/> of every map [n·K+k] of <paramref name="a"/> with the same map of <paramref name="b"/> (of |φ| when <paramref name="absolute"/>).</summary>
    public static double[] Scores(Explanation a, Explanation b, string metric, bool absolute, MapComparison compare, CancellationToken cancel)
    {
        MetricInputs.CheckPair(a, b, metric);
        int k = a.TargetsPerInput;
        var scores = new double[a.Count * k];
        for (int i = 0; i < scores.Length; i++)
        {
            cancel.ThrowIfCancellationRequested();
            ReadOnlySpan<float> ma = a.Map(i / k, i % k), mb = b.Map(i / k, i % k);
            scores[i] = absolute ? compare(Abs(ma), Abs(mb)) : compare(ma, mb);
        }
        return scores;
    }

    private static float[] Abs(ReadOnlySpan<float> map)
    {
        var r = new float[map.Length];
        for (int i = 0; i < r.Length; i++) r[i] = Math.Abs(map[i]);
        return r;
    }
}

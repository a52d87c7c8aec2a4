namespace Glassbox.Visualization;

/// <summary>Symmetric colour scales that one extreme value cannot wash out.</summary>
internal static class RobustScale
{
    /// <summary>SHAP's default: the 99.9th percentile of |value|.</summary>
    public const double DefaultPercentile = 99.9;

    /// <summary>
    /// The <paramref name="percentile"/>-th percentile of |values| (linear interpolation between order statistics,
    /// as numpy's default), ignoring NaN; 0 for an empty or all-NaN input.
    /// </summary>
    public static double SymmetricMax(ReadOnlySpan<float> values, double percentile = DefaultPercentile)
    {
        if (!(percentile >= 0 && percentile <= 100))
            throw new GlassboxException($"Percentile {percentile} is outside [0, 100]; use e.g. 99.9.");
        var abs = new List<double>(values.Length);
        foreach (float v in values)
            if (!float.IsNaN(v)) abs.Add(Math.Abs((double)v));
        if (abs.Count == 0) return 0;
        abs.Sort();
        double rank = percentile / 100.0 * (abs.Count - 1);
        int lo = (int)Math.Floor(rank);
        int hi = Math.Min(lo + 1, abs.Count - 1);
        double frac = rank - lo;
        return abs[lo] + (abs[hi] - abs[lo]) * frac;
    }
}

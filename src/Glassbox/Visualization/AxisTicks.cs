namespace Glassbox.Visualization;

/// <summary>"Nice" axis tick positions (steps of 1, 2 or 5 × 10^k).</summary>
internal static class AxisTicks
{
    /// <summary>About <paramref name="target"/> evenly spaced round values within [min, max].</summary>
    public static IReadOnlyList<double> Nice(double min, double max, int target = 6)
    {
        if (!(max > min) || target < 1) return [min];
        double raw = (max - min) / target;
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1.0, 2.0, 5.0, 10.0 }.Select(m => m * magnitude).First(s => s >= raw);
        var ticks = new List<double>();
        for (double t = Math.Ceiling(min / step) * step; t <= max + step * 1e-9; t += step)
            ticks.Add(Math.Abs(t) < step * 1e-9 ? 0 : t);
        return ticks;
    }
}

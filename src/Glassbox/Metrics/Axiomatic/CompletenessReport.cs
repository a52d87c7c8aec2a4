using Glassbox.Attribution;

namespace Glassbox.Metrics.Axiomatic;

/// <summary>Summary of the completeness (additivity) errors |f(x) − base − Σφ| of an explanation.</summary>
/// <param name="Count">Explanations checked.</param>
/// <param name="Max">Largest error.</param>
/// <param name="Mean">Mean error.</param>
/// <param name="Median">Median error.</param>
/// <param name="P99">99th percentile.</param>
/// <param name="MaxRelative">Largest error / max(1, |f(x)|), the quantity checked against the tolerance.</param>
/// <param name="Failures">Explanations whose error exceeds tolerance · max(1, |f(x)|).</param>
/// <param name="Tolerance">The relative tolerance used.</param>
public sealed record CompletenessReport(int Count, double Max, double Mean, double Median, double P99, double MaxRelative, int Failures, double Tolerance)
{
    /// <summary>True when no explanation fails.</summary>
    public bool Holds => Failures == 0;

    /// <summary>Statistics of <paramref name="explanation"/>'s additivity errors (Sundararajan et al. 2017's completeness; SHAP's local accuracy).</summary>
    public static CompletenessReport Of(Explanation explanation)
    {
        var errors = explanation.AdditivityErrors ?? throw new ArgumentException($"{explanation.Method} reports no additivity errors.");
        if (errors.Length == 0) return new CompletenessReport(0, 0, 0, 0, 0, 0, 0, explanation.AdditivityTolerance);
        // NaN errors (failures) sort last so that Max and the upper percentiles show them; Order() would put them
        // first and Max() skips them, reporting a clean maximum for a failed check.
        var sorted = errors.Order(NaNLast).ToArray();
        double Pct(double q) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(q * sorted.Length) - 1)];
        double maxRel = errors.Select((e, i) => e / Math.Max(1, Math.Abs(explanation.Outputs[i]))).Order(NaNLast).Last();
        return new CompletenessReport(errors.Length, sorted[^1], errors.Average(), Pct(0.5), Pct(0.99), maxRel,
            explanation.AdditivityFailures().Count, explanation.AdditivityTolerance);
    }

    private static readonly Comparer<double> NaNLast = Comparer<double>.Create(
        (a, b) => double.IsNaN(a) ? (double.IsNaN(b) ? 0 : 1) : double.IsNaN(b) ? -1 : a.CompareTo(b));
}

namespace Glassbox.Metrics;

/// <summary>The scores of a metric, with the settings it ran with.</summary>
/// <param name="Metric">The metric's name.</param>
/// <param name="Scores">One score per explained map, indexed [n·K+k] like <see cref="Glassbox.Attribution.Explanation.Outputs"/>.</param>
/// <param name="Settings">The options record the metric ran with.</param>
/// <param name="Detail">Metric-specific extras (e.g. deletion curves), or null.</param>
public sealed record MetricResult(string Metric, double[] Scores, object Settings, object? Detail = null)
{
    /// <summary>Mean of the finite scores; NaN when there are none.</summary>
    public double Mean
    {
        get
        {
            var finite = Scores.Where(double.IsFinite).ToArray();
            return finite.Length == 0 ? double.NaN : finite.Average();
        }
    }
}

using Glassbox.Attribution;

namespace Glassbox.Metrics;

/// <summary>A metric comparing two explanations of the same inputs and targets (e.g. two methods, or two models).</summary>
public interface IPairwiseMetric : IMetric
{
    /// <summary>One score per map [n·K+k], comparing <paramref name="a"/>'s map with <paramref name="b"/>'s.</summary>
    MetricResult Evaluate(Explanation a, Explanation b, CancellationToken cancel = default);
}

using Glassbox.Attribution;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics;

/// <summary>
/// A re-explaining metric that can share its costly part with related metrics through a <see cref="MetricWorkCache"/>
/// (same scores as <see cref="IReexplainingMetric.Evaluate"/>, computed once for all of them).
/// </summary>
public interface ISharedWorkMetric : IReexplainingMetric
{
    /// <summary>As <see cref="IReexplainingMetric.Evaluate"/>, reading and filling <paramref name="cache"/> (one per explanation).</summary>
    MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, ExplainFunction explain, MetricWorkCache cache,
        CancellationToken cancel = default);
}

using Glassbox.Attribution;
using static TorchSharp.torch;

namespace Glassbox.Metrics;

/// <summary>
/// A metric of where an explanation puts its relevance, against ground-truth masks of the evidence (Quantus'
/// localisation metrics take <c>s_batch</c>): one score per map [n·K+k].
/// </summary>
public interface ILocalisationMetric : IMetric
{
    /// <summary>Scores of <paramref name="explanation"/> against <paramref name="masks"/> (N×H×W or N×1×H×W; nonzero = evidence).</summary>
    MetricResult Evaluate(Explanation explanation, Tensor masks, CancellationToken cancel = default);
}

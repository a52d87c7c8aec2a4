using Glassbox.Attribution;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics;

/// <summary>
/// A metric that explains again (robustness: perturbed inputs; randomisation: a randomised model or target), with the
/// same method and settings as the explanation being scored through an <see cref="ExplainFunction"/>.
/// </summary>
public interface IReexplainingMetric : IMetric
{
    /// <summary>One score per map [n·K+k] of <paramref name="explanation"/> of <paramref name="inputs"/>, re-explaining with <paramref name="explain"/>.</summary>
    MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, ExplainFunction explain, CancellationToken cancel = default);
}

using Glassbox.Attribution;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics;

/// <summary>
/// A metric of one explanation (Quantus' contract: model, inputs, targets and attributions in, one score per
/// explained map out). The targets and the output space (logits or probabilities) are the explanation's own.
/// </summary>
public interface IExplanationMetric : IMetric
{
    /// <summary>
    /// Scores of <paramref name="explanation"/> of <paramref name="inputs"/> (N×C×H×W pixels in [0,1], the inputs
    /// that were explained) for <paramref name="model"/>: one score per map [n·K+k].
    /// </summary>
    MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, CancellationToken cancel = default);
}

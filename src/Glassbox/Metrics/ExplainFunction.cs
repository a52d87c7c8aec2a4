using Glassbox.Attribution;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics;

/// <summary>
/// Explains <paramref name="inputs"/> (N×C×H×W pixels in [0,1]) for <paramref name="model"/> and <paramref name="targets"/>
/// with one fixed method and settings (Quantus' <c>explain_func</c>; Captum's <c>explanation_func</c>). Metrics that
/// must explain again — on perturbed inputs (robustness) or on a randomised model (randomisation) — take one.
/// </summary>
public delegate Explanation ExplainFunction(IImageModel model, Tensor inputs, TargetSelection targets, CancellationToken cancel);

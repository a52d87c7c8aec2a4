using static TorchSharp.torch;

namespace Glassbox.Attribution;

/// <summary>
/// An attribution method: per-pixel attributions for N×C×H×W inputs and the selected classes, returned as an
/// <see cref="Explanation"/> that carries the values, the method's settings, the targets and the method's own check
/// (additivity / convergence delta) where it has one. Random methods take a seed in their options.
/// </summary>
public interface IAttributionMethod
{
    /// <summary>The method's name, as on the command line (e.g. "integrated-gradients").</summary>
    string Name { get; }

    /// <summary>Attributions for <paramref name="inputs"/> (pixels in [0,1]) and <paramref name="targets"/>.</summary>
    Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default);
}

using static TorchSharp.torch;

namespace Glassbox.Generation.Explain.Counterfactuals;

/// <summary>What <see cref="LatentShift"/> found; dispose to free the tensors.</summary>
/// <param name="Search">The counterfactual at the first λ that flipped the class (codes, images, reached, steps, time).</param>
/// <param name="Lambdas">λ* per row: the shift that flipped the class (the largest tried when none did).</param>
/// <param name="Directions">Unit directions (N×L) the codes moved along.</param>
/// <param name="Frames">The morph, N×F×C×H×W: G(z + λ·d) for λ evenly spaced in [0, λ*].</param>
/// <param name="FrameTargetLogits">The classifier's target logit on each frame (N rows of F values).</param>
public sealed record LatentShiftResult(CounterfactualSearch Search, double[] Lambdas, Tensor Directions, Tensor Frames, double[][] FrameTargetLogits) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose()
    {
        Search.Dispose();
        Directions.Dispose();
        Frames.Dispose();
    }
}

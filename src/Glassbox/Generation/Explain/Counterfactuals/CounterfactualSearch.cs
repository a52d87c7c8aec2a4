using static TorchSharp.torch;

namespace Glassbox.Generation.Explain.Counterfactuals;

/// <summary>
/// Counterfactuals found in a generator's latent space, one per input row; dispose to free the tensors.
/// </summary>
/// <param name="Latents">Counterfactual codes z′ (N×L): the first code the classifier called the target, else the last one tried.</param>
/// <param name="Images">G(z′) (N×C×H×W).</param>
/// <param name="Reached">Whether the classifier's arg-max on G(z′) is the target.</param>
/// <param name="Steps">Optimiser steps (REVISE) or shift steps (latent shift) taken until the target was reached (all of them when it was not).</param>
/// <param name="Seconds">Wall time of the whole batched search.</param>
public sealed record CounterfactualSearch(Tensor Latents, Tensor Images, bool[] Reached, int[] Steps, double Seconds) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose()
    {
        Latents.Dispose();
        Images.Dispose();
    }
}

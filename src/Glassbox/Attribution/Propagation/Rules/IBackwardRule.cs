using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// How one layer maps the signal arriving at its output (a gradient, multipliers or relevance) to its inputs, as a
/// Zennit rule rewrites a layer's backward pass. A <see cref="BackwardPass"/> holds one rule per node.
/// </summary>
public interface IBackwardRule
{
    /// <summary>Short name, as the composites and reports use it (e.g. "epsilon", "z-box").</summary>
    string Name { get; }

    /// <summary>State computed once per traced batch and reused for every output class (e.g. DeepLIFT multipliers); null by default.</summary>
    object? Prepare(LayerStep step) => null;

    /// <summary>The signal at each of the layer's inputs, given <paramref name="signal"/> at its output.</summary>
    /// <param name="step">The layer and its activations.</param>
    /// <param name="signal">The signal at the layer's output: as many rows as the step's inputs (or pairs), or one row shared by all.</param>
    /// <param name="state">What <see cref="Prepare"/> returned for this step.</param>
    Tensor[] Backward(LayerStep step, Tensor signal, object? state);
}

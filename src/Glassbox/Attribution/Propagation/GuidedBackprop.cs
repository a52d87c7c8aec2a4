using Glassbox.Attribution.Catalog;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>Settings for <see cref="GuidedBackprop"/>.</summary>
/// <param name="Output">Logits (default) or probabilities.</param>
/// <param name="InternalBatchSize">Inputs per backward pass.</param>
public sealed record GuidedBackpropOptions(
    [property: Option("output", Help = "logits or probabilities (softmax)")] OutputSpace Output = OutputSpace.Logits,
    [property: Option("internal-batch-size", Min = 1, Max = 1000000, Help = "Inputs per backward pass")] int InternalBatchSize = 64);

/// <summary>
/// Guided backpropagation (Springenberg et al. 2015, "Striving for Simplicity: The All Convolutional Net"), as
/// Captum's <c>GuidedBackprop</c>: the input gradient with every ReLU's backward pass replaced by the ordinary ReLU
/// gradient with negative values set to zero (<see cref="Composites.GuidedBackprop"/>). Needs visible layers
/// (built-in and Sequential-spec models).
/// </summary>
public sealed class GuidedBackprop : IAttributionMethod
{
    private readonly ModifiedGradient _backprop;

    /// <summary>Prepares the method for <paramref name="model"/>.</summary>
    public GuidedBackprop(IImageModel model, GuidedBackpropOptions? options = null)
    {
        Options = options ?? new GuidedBackpropOptions();
        _backprop = new ModifiedGradient(model, Composites.GuidedBackprop(), "Guided backpropagation");
    }

    /// <summary>The settings in use.</summary>
    public GuidedBackpropOptions Options { get; }

    /// <inheritdoc />
    public string Name => "guided-backprop";

    /// <summary>Guided gradients (N×C×H×W) of one class per input (for Guided Grad-CAM).</summary>
    public Tensor Gradients(Tensor pixels, long[] classes) => _backprop.Compute(pixels, classes, Options.Output).Gradients;

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
        => _backprop.Attribute("GuidedBackprop", Options, inputs, targets, Options.Output, Options.InternalBatchSize, progress, cancel);
}

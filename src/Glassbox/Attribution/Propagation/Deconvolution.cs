using Glassbox.Attribution.Catalog;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>Settings for <see cref="Deconvolution"/>.</summary>
/// <param name="Output">Logits (default) or probabilities.</param>
/// <param name="InternalBatchSize">Inputs per backward pass.</param>
public sealed record DeconvolutionOptions(
    [property: Option("output", Help = "logits or probabilities (softmax)")] OutputSpace Output = OutputSpace.Logits,
    [property: Option("internal-batch-size", Min = 1, Max = 1000000, Help = "Inputs per backward pass")] int InternalBatchSize = 64);

/// <summary>
/// Deconvolution (Zeiler and Fergus 2014, "Visualizing and Understanding Convolutional Networks"), as Captum's
/// <c>Deconvolution</c>: the input gradient with every ReLU's backward pass replaced by a ReLU of the incoming
/// gradient (the forward activation is ignored; <see cref="Composites.Deconvolution"/>). Needs visible layers.
/// </summary>
public sealed class Deconvolution : IAttributionMethod
{
    private readonly ModifiedGradient _backprop;

    /// <summary>Prepares the method for <paramref name="model"/>.</summary>
    public Deconvolution(IImageModel model, DeconvolutionOptions? options = null)
    {
        Options = options ?? new DeconvolutionOptions();
        _backprop = new ModifiedGradient(model, Composites.Deconvolution(), "Deconvolution");
    }

    /// <summary>The settings in use.</summary>
    public DeconvolutionOptions Options { get; }

    /// <inheritdoc />
    public string Name => "deconvolution";

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
        => _backprop.Attribute("Deconvolution", Options, inputs, targets, Options.Output, Options.InternalBatchSize, progress, cancel);
}

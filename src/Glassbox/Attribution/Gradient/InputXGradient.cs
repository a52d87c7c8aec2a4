using Glassbox.Attribution.Catalog;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Gradient;

/// <summary>Settings for <see cref="InputXGradient"/>.</summary>
/// <param name="Output">Explain logits (default) or softmax probabilities.</param>
/// <param name="InternalBatchSize">Images per forward/backward pass.</param>
public sealed record InputXGradientOptions(
    [property: Option("output", Help = "logits or probabilities (softmax)")] OutputSpace Output = OutputSpace.Logits,
    [property: Option("internal-batch-size", Min = 1, Max = 1000000, Help = "Images per forward/backward pass")] int InternalBatchSize = 64);

/// <summary>
/// Input × gradient (Shrikumar et al. 2016, "Not Just a Black Box"): <c>x ⊙ ∂f_c/∂x</c>, as Captum's
/// <c>InputXGradient</c>. Pixels are the [0,1] values the model receives before its own normalisation.
/// </summary>
public sealed class InputXGradient : IAttributionMethod
{
    private readonly IImageModel _model;

    /// <summary>Input × gradient for <paramref name="model"/> (which must support gradients).</summary>
    public InputXGradient(IImageModel model, InputXGradientOptions? options = null)
    {
        ModelCapabilities.RequireGradients(model, "Input × gradient");
        Options = options ?? new InputXGradientOptions();
        GradientPass.AtLeast("The internal batch size", Options.InternalBatchSize, 1);
        _model = model;
    }

    /// <summary>The settings in use.</summary>
    public InputXGradientOptions Options { get; }

    /// <inheritdoc />
    public string Name => "input-x-gradient";

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        var (builder, maps, outputs) = InputGradients.Compute(_model, "InputXGradient", Options, inputs, targets, Options.Output,
            Options.InternalBatchSize, multiplyByInput: true, progress, cancel);
        GradientPass.Store(builder, maps);
        foreach (var m in maps) m.Dispose();
        return builder.Build(Options.Output, outputs, null, completeness: false);
    }
}

using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.Common;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Gradient;

/// <summary>Settings for <see cref="Saliency"/>.</summary>
/// <param name="Abs">Return |∂f/∂x| (Captum's default <c>abs=True</c>); false keeps the sign.</param>
/// <param name="Output">Explain logits (default) or softmax probabilities.</param>
/// <param name="InternalBatchSize">Images per forward/backward pass.</param>
public sealed record SaliencyOptions(
    [property: Option("abs", Reference = "abs", Help = "Absolute gradients (true) or signed (false)")] bool Abs = true,
    [property: Option("output", Help = "logits or probabilities (softmax)")] OutputSpace Output = OutputSpace.Logits,
    [property: Option("internal-batch-size", Min = 1, Max = 1000000, Help = "Images per forward/backward pass")] int InternalBatchSize = 64);

/// <summary>
/// Saliency maps (Simonyan, Vedaldi and Zisserman 2014, "Deep Inside Convolutional Networks"): the gradient of the
/// target output with respect to the input pixels, in absolute value by default, as Captum's <c>Saliency</c>.
/// </summary>
public sealed class Saliency : IAttributionMethod
{
    private readonly IImageModel _model;

    /// <summary>Saliency for <paramref name="model"/> (which must support gradients).</summary>
    public Saliency(IImageModel model, SaliencyOptions? options = null)
    {
        ModelCapabilities.RequireGradients(model, "Saliency");
        Options = options ?? new SaliencyOptions();
        GradientPass.AtLeast("The internal batch size", Options.InternalBatchSize, 1);
        _model = model;
    }

    /// <summary>The settings in use.</summary>
    public SaliencyOptions Options { get; }

    /// <inheritdoc />
    public string Name => "saliency";

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        var (builder, maps, outputs) = InputGradients.Compute(_model, "Saliency", Options, inputs, targets, Options.Output,
            Options.InternalBatchSize, multiplyByInput: false, progress, cancel);
        using var scope = torch.NewDisposeScope();
        for (int s = 0; s < maps.Length; s++) builder.SetSlot(s, Options.Abs ? maps[s].abs() : maps[s]);
        foreach (var m in maps) m.Dispose();
        return builder.Build(Options.Output, outputs, null, completeness: false);
    }
}

/// <summary>Gradients (or input × gradient) at the inputs themselves, shared by <see cref="Saliency"/> and <see cref="InputXGradient"/>.</summary>
internal static class InputGradients
{
    /// <summary>Per-slot maps N×C×H×W (gradient, or x ⊙ gradient), the builder and f(x) per [n·K+k].</summary>
    public static (ExplanationBuilder Builder, Tensor[] Maps, double[] Outputs) Compute(IImageModel model, string method, object settings,
        Tensor inputs, TargetSelection targets, OutputSpace output, int batch, bool multiplyByInput,
        IProgress<(int Done, int Total)>? progress, CancellationToken cancel)
    {
        GradientPass.CheckInputs(model, inputs, method);
        var builder = new ExplanationBuilder(method, settings, inputs.shape, targets, model.Info.Classes);
        using var scope = torch.NewDisposeScope();
        var x = inputs.detach().to(model.Device);
        var outs = new Tensor[(int)Math.Ceiling(x.shape[0] / (double)batch)];
        var maps = GradientPass.Accumulate(model, x, 1, batch, builder.Targets, builder.K,
            (start, len) => (x.narrow(0, start, len), multiplyByInput ? x.narrow(0, start, len) : null),
            GradientPass.Transform(output), progress, cancel,
            (start, o) => outs[start / batch] = o.MoveToOuterDisposeScope());
        var outputs = builder.SelectOutputs(torch.cat(outs, 0));
        foreach (var m in maps) m.MoveToOuterDisposeScope();
        return (builder, maps, outputs);
    }
}

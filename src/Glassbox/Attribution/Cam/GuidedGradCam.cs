using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.Propagation;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Cam;

/// <summary>Settings for <see cref="GuidedGradCam"/> (Captum's defaults).</summary>
/// <param name="Layer">Layer index, ONNX graph node name or index, or "last-conv" (the last Conv2d or Conv node).</param>
/// <param name="Interpolation">Upsampling of the Grad-CAM map (Captum: nearest).</param>
/// <param name="Output">Explain logits (default) or probabilities.</param>
/// <param name="InternalBatchSize">Inputs per pass.</param>
public sealed record GuidedGradCamOptions(
    [property: Option("layer", Reference = "layer", Help = "Layer index, ONNX graph node name or index, or last-conv")] string Layer = "last-conv",
    [property: Option("interpolation", Reference = "interpolate_mode", Help = "Upsampling of the map to the input: nearest (Captum) or bilinear")] CamInterpolation Interpolation = CamInterpolation.Nearest,
    [property: Option("output", Help = "logits or probabilities (softmax)")] OutputSpace Output = OutputSpace.Logits,
    [property: Option("internal-batch-size", Min = 1, Max = 1000000, Help = "Inputs per pass")] int InternalBatchSize = 64);

/// <summary>
/// Guided Grad-CAM (Selvaraju et al. 2017), as Captum's <c>GuidedGradCam</c>: guided backpropagation multiplied
/// element-wise by the rectified Grad-CAM map (relu_attributions=True) upsampled to the input.
/// </summary>
public sealed class GuidedGradCam : IAttributionMethod
{
    private readonly IImageModel _model;
    private readonly CamLayers _layers;
    private readonly GuidedBackprop _guided;

    /// <summary>Prepares Guided Grad-CAM for <paramref name="model"/>.</summary>
    public GuidedGradCam(IImageModel model, GuidedGradCamOptions? options = null)
    {
        Options = options ?? new GuidedGradCamOptions();
        _model = model;
        _layers = new CamLayers(model, Options.Layer, "Guided Grad-CAM");
        _guided = new GuidedBackprop(model, new GuidedBackpropOptions(Options.Output, Options.InternalBatchSize));
    }

    /// <summary>The settings in use.</summary>
    public GuidedGradCamOptions Options { get; }

    /// <inheritdoc />
    public string Name => "guided-grad-cam";

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        Tensor? current = null;
        return CamRunner.Run(_model, _layers, "GuidedGradCam", Options, inputs, targets, Options.Output, Options.InternalBatchSize, Options.Interpolation,
            (a, scores, x, cls) => { current = x; return GradCam.Map(a, scores, cls, relu: true); }, progress, cancel,
            post: (cam, cls) => cam * _guided.Gradients(current!, cls));
    }
}

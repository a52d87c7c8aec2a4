using Glassbox.Attribution.Catalog;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Cam;

/// <summary>Settings for <see cref="GradCam"/> (Captum's defaults).</summary>
/// <param name="Layer">Layer index, ONNX graph node name or index, or "last-conv" (the last Conv2d or Conv node).</param>
/// <param name="ReluAttributions">Apply ReLU to the map (Captum default false; the paper applies it).</param>
/// <param name="Interpolation">Upsampling to the input size (Captum's interpolate default: nearest).</param>
/// <param name="Output">Explain logits (default) or probabilities.</param>
/// <param name="InternalBatchSize">Inputs per pass.</param>
public sealed record GradCamOptions(
    [property: Option("layer", Reference = "layer", Help = "Layer index, ONNX graph node name or index, or last-conv")] string Layer = "last-conv",
    [property: Option("relu-attributions", Reference = "relu_attributions", Help = "Apply ReLU to the map")] bool ReluAttributions = false,
    [property: Option("interpolation", Reference = "interpolate_mode", Help = "Upsampling of the map to the input: nearest (Captum) or bilinear")] CamInterpolation Interpolation = CamInterpolation.Nearest,
    [property: Option("output", Help = "logits or probabilities (softmax)")] OutputSpace Output = OutputSpace.Logits,
    [property: Option("internal-batch-size", Min = 1, Max = 1000000, Help = "Inputs per pass")] int InternalBatchSize = 64);

/// <summary>
/// Grad-CAM (Selvaraju et al. 2017, "Grad-CAM: Visual Explanations from Deep Networks via Gradient-based
/// Localization"), as Captum's <c>LayerGradCam</c> followed by <c>LayerAttribution.interpolate</c>: channel weights
/// α_k = mean over h×w of ∂y_c/∂A_k, map Σ_k α_k A_k (optionally rectified), upsampled to the input and repeated over
/// its channels.
/// </summary>
public sealed class GradCam : IAttributionMethod
{
    private readonly IImageModel _model;
    private readonly CamLayers _layers;

    /// <summary>Prepares Grad-CAM for <paramref name="model"/>.</summary>
    public GradCam(IImageModel model, GradCamOptions? options = null)
    {
        Options = options ?? new GradCamOptions();
        _model = model;
        _layers = new CamLayers(model, Options.Layer, "Grad-CAM");
    }

    /// <summary>The settings in use.</summary>
    public GradCamOptions Options { get; }

    /// <inheritdoc />
    public string Name => "grad-cam";

    /// <summary>The layer-resolution map Σ_k α_k A_k (N×1×h×w) for one class per input, graph kept.</summary>
    internal static Tensor Map(Tensor activations, Tensor scores, long[] classes, bool relu)
    {
        var g = CamRunner.Gradient(activations, scores, classes);
        var weights = g.mean([2, 3], keepdim: true);
        var map = (weights * activations.detach()).sum(1, keepdim: true);
        return relu ? nn.functional.relu(map) : map;
    }

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
        => CamRunner.Run(_model, _layers, "GradCam", Options, inputs, targets, Options.Output, Options.InternalBatchSize, Options.Interpolation,
            (a, scores, _, cls) => Map(a, scores, cls, Options.ReluAttributions), progress, cancel);
}

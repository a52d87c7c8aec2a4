using System.Globalization;
using Glassbox.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Cam;

/// <summary>How a layer-resolution map is brought to the input size.</summary>
public enum CamInterpolation
{
    /// <summary>Nearest neighbour: Captum's <c>LayerAttribution.interpolate</c> default.</summary>
    Nearest,
    /// <summary>Bilinear, corners not aligned (as <c>F.interpolate(mode="bilinear", align_corners=False)</c>).</summary>
    Bilinear,
}

/// <summary>
/// Splits a sequential model at the layer a CAM method explains: the prefix up to and including that layer gives the
/// activations A (N×K×h×w), the rest maps them to the logits. The layer is an index into the model's layers (the CAM
/// uses its output) or <c>last-conv</c>, the output of the last Conv2d (as passing the conv module to Captum's
/// LayerGradCam does; pick the ReLU after it by index to explain the rectified activations).
/// </summary>
public sealed class CamLayers
{
    private readonly IImageModel _model;
    private readonly IReadOnlyList<nn.Module<Tensor, Tensor>> _layers;

    /// <summary>Resolves <paramref name="layer"/> for <paramref name="model"/>; clear errors list the layers.</summary>
    public CamLayers(IImageModel model, string? layer, string method)
    {
        _model = model;
        ModelCapabilities.RequireGradients(model, method);
        _layers = ModelCapabilities.RequireLayers(model, method);
        string spec = string.IsNullOrWhiteSpace(layer) ? "last-conv" : layer.Trim();
        if (spec.Equals("last-conv", StringComparison.OrdinalIgnoreCase))
        {
            Index = -1;
            for (int i = 0; i < _layers.Count; i++) if (_layers[i] is Conv2d) Index = i;
            if (Index < 0) throw new GlassboxException($"{method} needs a convolutional layer, and this model has none. Layers: {List()}.");
        }
        else if (int.TryParse(spec, NumberStyles.Integer, CultureInfo.InvariantCulture, out int idx))
        {
            if (idx < 0 || idx >= _layers.Count) throw new GlassboxException($"Layer {idx} does not exist. Layers: {List()}.");
            Index = idx;
        }
        else throw new GlassboxException($"The CAM layer must be a layer index or last-conv, not '{layer}'. Layers: {List()}.");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var a = Activations(torch.zeros(1, model.Info.Channels, model.Info.Height, model.Info.Width, device: model.Device));
        if (a.dim() != 4)
            throw new GlassboxException($"Layer {Index} ({_layers[Index].GetType().Name}) outputs shape {string.Join("×", a.shape)}; a CAM needs an N×K×h×w feature map. Layers: {List()}.");
        MapChannels = a.shape[1];
    }

    /// <summary>Index of the explained layer.</summary>
    public int Index { get; }

    /// <summary>Channels K of the explained feature map.</summary>
    public long MapChannels { get; }

    /// <summary>A (N×K×h×w): the explained layer's output.</summary>
    public Tensor Activations(Tensor pixels)
    {
        var a = _model.Preprocess(pixels);
        for (int i = 0; i <= Index; i++) a = _layers[i].forward(a);
        return a;
    }

    /// <summary>The logits from the explained layer's output.</summary>
    public Tensor Head(Tensor activations)
    {
        var a = activations;
        for (int i = Index + 1; i < _layers.Count; i++) a = _layers[i].forward(a);
        return a;
    }

    /// <summary>Maps N×1×h×w to N×1×H×W.</summary>
    public static Tensor Upsample(Tensor map, long height, long width, CamInterpolation mode)
        => mode == CamInterpolation.Nearest
            ? nn.functional.interpolate(map, [height, width], mode: InterpolationMode.Nearest)
            : nn.functional.interpolate(map, [height, width], mode: InterpolationMode.Bilinear, align_corners: false);

    /// <summary>Parses "nearest" or "bilinear".</summary>
    public static CamInterpolation ParseInterpolation(string? text) => (text ?? "nearest").Trim().ToLowerInvariant() switch
    {
        "nearest" => CamInterpolation.Nearest,
        "bilinear" => CamInterpolation.Bilinear,
        _ => throw new GlassboxException($"The CAM interpolation must be nearest or bilinear, not '{text}'."),
    };

    private string List() => string.Join(", ", _layers.Select((l, i) => $"{i}={l.GetType().Name}"));
}

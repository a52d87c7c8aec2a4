using System.Globalization;
using Glassbox.Attribution.Propagation;
using Glassbox.Models;
using Glassbox.Models.Graph;
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
/// Splits a model at the layer a CAM method explains: the part up to and including that layer gives the activations
/// A (N×K×h×w), the rest maps them to the logits. For a sequential model the layer is an index into its layers (the
/// CAM uses its output) or <c>last-conv</c>, the output of the last Conv2d (as passing the conv module to Captum's
/// LayerGradCam does; pick the ReLU after it by index to explain the rectified activations). For an ONNX graph
/// (<see cref="GraphModel"/>, or a built-in residual network's <see cref="IImageModel.NodeGraph"/>) it is a node name, a node index (into <see cref="GraphModel.Nodes"/>; a plain chain
/// with a layer list keeps layer indices) or <c>last-conv</c>, the last Conv node in graph order; the rest of the
/// graph, skip connections included, is re-run from the pixels with that node's output replaced.
/// </summary>
public sealed class CamLayers
{
    private const int Listed = 40;
    private readonly IImageModel _model;
    private readonly IReadOnlyList<nn.Module<Tensor, Tensor>>? _layers;
    private readonly GraphModel? _graph;
    private readonly LayerGraph? _trace;

    /// <summary>Resolves <paramref name="layer"/> for <paramref name="model"/>; clear errors list the layers.</summary>
    public CamLayers(IImageModel model, string? layer, string method)
    {
        _model = model;
        ModelCapabilities.RequireGradients(model, method);
        ModelCapabilities.RequireVisibleLayers(model, method);
        string spec = string.IsNullOrWhiteSpace(layer) ? "last-conv" : layer.Trim();
        bool isIndex = int.TryParse(spec, NumberStyles.Integer, CultureInfo.InvariantCulture, out int idx);
        if (model.NodeGraph is { } graph && !(isIndex && model.Layers is not null))
        {
            _graph = graph;
            _trace = GraphLayers.Trace(graph);
            Index = ResolveNode(graph, spec, isIndex, idx, method);
        }
        else
        {
            _layers = ModelCapabilities.RequireLayers(model, method);
            if (spec.Equals("last-conv", StringComparison.OrdinalIgnoreCase))
            {
                Index = -1;
                for (int i = 0; i < _layers.Count; i++) if (_layers[i] is Conv2d) Index = i;
                if (Index < 0) throw new GlassboxException($"{method} needs a convolutional layer, and this model has none. Layers: {List()}.");
            }
            else if (isIndex)
            {
                if (idx < 0 || idx >= _layers.Count) throw new GlassboxException($"Layer {idx} does not exist. Layers: {List()}.");
                Index = idx;
            }
            else throw new GlassboxException($"The CAM layer must be a layer index or last-conv, not '{layer}'. Layers: {List()}.");
        }
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var a = Activations(torch.zeros(1, model.Info.Channels, model.Info.Height, model.Info.Width, device: model.Device));
        if (a.dim() != 4)
            throw new GlassboxException($"{Describe()} outputs shape {string.Join("×", a.shape)}; a CAM needs an N×K×h×w feature map. Layers: {List()}.");
        MapChannels = a.shape[1];
    }

    /// <summary>Index of the explained layer (of the model's layers), or of the explained node of a graph model.</summary>
    public int Index { get; }

    /// <summary>The explained node's name for a graph model, else null.</summary>
    public string? NodeName => _graph?.Nodes[Index].Name;

    /// <summary>Channels K of the explained feature map.</summary>
    public long MapChannels { get; }

    /// <summary>A (N×K×h×w): the explained layer's output.</summary>
    public Tensor Activations(Tensor pixels)
    {
        var a = _model.Preprocess(pixels);
        if (_trace is not null) return _trace.Evaluate(a, Index)[Index];
        for (int i = 0; i <= Index; i++) a = _layers![i].forward(a);
        return a;
    }

    /// <summary>The logits from the explained layer's output (sequential models only; graphs need the pixels, see <see cref="Logits"/>).</summary>
    public Tensor Head(Tensor activations)
    {
        if (_layers is null) throw new GlassboxException($"{Describe()} is inside a graph; its logits need the pixels too (use Logits).");
        var a = activations;
        for (int i = Index + 1; i < _layers.Count; i++) a = _layers[i].forward(a);
        return a;
    }

    /// <summary>The logits for <paramref name="pixels"/> with the explained layer's output replaced by <paramref name="activations"/>.</summary>
    public Tensor Logits(Tensor pixels, Tensor activations)
        => _trace is null ? Head(activations) : _trace.Evaluate(_model.Preprocess(pixels), _trace.Nodes.Count, Index, activations)[^1];

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

    private static int ResolveNode(GraphModel graph, string spec, bool isIndex, int idx, string method)
    {
        var nodes = graph.Nodes;
        if (spec.Equals("last-conv", StringComparison.OrdinalIgnoreCase))
        {
            var conv = nodes.LastOrDefault(n => n.OpType == "Conv")
                ?? throw new GlassboxException($"{method} needs a convolutional node, and this graph has none. Nodes: {ListNodes(graph)}.");
            return conv.Index;
        }
        if (isIndex)
        {
            if (idx < 0 || idx >= nodes.Count - 1) throw new GlassboxException($"Node {idx} does not exist or is the output. Nodes: {ListNodes(graph)}.");
            return idx;
        }
        var named = nodes.FirstOrDefault(n => n.Name == spec) ?? nodes.FirstOrDefault(n => n.Name.Equals(spec, StringComparison.OrdinalIgnoreCase))
            ?? throw new GlassboxException($"The graph has no node named '{spec}'; give a node name, a node index or last-conv. Nodes: {ListNodes(graph)}.");
        if (named.Index == nodes.Count - 1) throw new GlassboxException($"Node '{spec}' gives the logits; a CAM explains an inner feature map. Nodes: {ListNodes(graph)}.");
        return named.Index;
    }

    private string Describe() => _graph is { } g ? $"Node {Index} '{g.Nodes[Index].Name}' ({g.Nodes[Index].OpType})" : $"Layer {Index} ({_layers![Index].GetType().Name})";

    private string List() => _graph is { } g ? ListNodes(g) : string.Join(", ", _layers!.Select((l, i) => $"{i}={l.GetType().Name}"));

    // Nodes with a feature map (4-D output), the ones a CAM can explain.
    private static string ListNodes(GraphModel graph)
    {
        var maps = graph.Nodes.Where(n => n.Index > 0 && n.OutputShape.Count == 4).Select(n => $"{n.Index}={n.Name} ({n.OpType})").ToList();
        return maps.Count <= Listed ? string.Join(", ", maps) : string.Join(", ", maps.Take(Listed)) + $", … ({maps.Count - Listed} more)";
    }
}

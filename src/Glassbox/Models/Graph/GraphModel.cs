using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Models.Graph;

/// <summary>
/// A classifier imported from an ONNX graph into TorchSharp: its nodes (<see cref="Nodes"/>, in topological order) are
/// visible and <see cref="Forward"/> runs them with autograd, so gradient methods apply. Branching graphs (ResNet
/// additions, DenseNet concatenations) have no layer list; a graph that is a plain chain of layer-like ops also exposes
/// the equivalent <c>nn.Module</c> list as <see cref="Layers"/>, so propagation rules and CAMs run on it. A built-in
/// residual network (<see cref="Architecture.ResNetSmall"/>) offers the same nodes as its <see cref="IImageModel.NodeGraph"/>.
/// </summary>
public sealed class GraphModel : IImageModel
{
    private readonly List<Tensor> _parameters;
    private readonly int[] _lastUse;
    private readonly bool _perImage;
    private readonly Tensor? _mean;
    private readonly Tensor? _std;
    private readonly List<nn.Module<Tensor, Tensor>>? _layers;

    internal GraphModel(ModelInfo info, Device device, List<GraphNode> nodes, List<Tensor> parameters, bool perImage, ModelKind kind = ModelKind.OnnxGraph)
    {
        Info = info; Device = device; Nodes = nodes; _parameters = parameters; _perImage = perImage; Kind = kind;
        _lastUse = new int[nodes.Count];
        foreach (var node in nodes)
            foreach (int j in node.Inputs) _lastUse[j] = node.Index;
        if (info.Mean is not null)
        {
            _mean = tensor(info.Mean, [1, info.Channels, 1, 1]).to(device);
            _std = tensor(info.Std!, [1, info.Channels, 1, 1]).to(device);
        }
        _layers = ChainLayers.TryBuild(nodes, device);
    }

    /// <summary>The nodes in topological order: node 0 is the preprocessed input, the last node gives the logits.</summary>
    public IReadOnlyList<GraphNode> Nodes { get; }

    /// <summary>True when the file fixes the batch to one image, so nodes run image by image.</summary>
    internal bool PerImage => _perImage;

    /// <summary>The node whose output is the logits (the last one).</summary>
    public GraphNode Output => Nodes[^1];

    /// <inheritdoc />
    public ModelInfo Info { get; }

    /// <inheritdoc />
    public Device Device { get; }

    /// <inheritdoc />
    public ModelKind Kind { get; }

    /// <inheritdoc />
    public GraphModel? NodeGraph => this;

    /// <inheritdoc />
    public bool SupportsGradients => true;

    /// <inheritdoc />
    public IReadOnlyList<nn.Module<Tensor, Tensor>>? Layers => _layers;

    /// <inheritdoc />
    public string? OpaqueReason => _layers is null
        ? "its ONNX graph branches or uses ops without a layer equivalent, so it has no layer list (its nodes are in GraphModel.Nodes)"
        : null;

    /// <inheritdoc />
    public Tensor Preprocess(Tensor pixels)
    {
        ModelCapabilities.CheckInput(this, pixels);
        return _mean is null ? pixels.alias() : (pixels - _mean) / _std!;
    }

    /// <inheritdoc />
    public Tensor Forward(Tensor pixels)
    {
        if (!_perImage || pixels.shape[0] == 1) return Run(pixels);
        ModelCapabilities.CheckInput(this, pixels);
        var outputs = new Tensor[pixels.shape[0]];
        try
        {
            for (long i = 0; i < outputs.Length; i++)
            {
                using var one = pixels.narrow(0, i, 1);
                outputs[i] = Run(one);
            }
            return cat(outputs, 0);
        }
        finally
        {
            foreach (var o in outputs) o?.Dispose();
        }
    }

    /// <summary>Evaluates the nodes in order, releasing each intermediate after its last use.</summary>
    private Tensor Run(Tensor pixels)
    {
        var values = new Tensor?[Nodes.Count];
        values[0] = Preprocess(pixels);
        try
        {
            for (int i = 1; i < Nodes.Count; i++)
            {
                var node = Nodes[i];
                var inputs = new Tensor[node.Inputs.Count];
                for (int j = 0; j < inputs.Length; j++) inputs[j] = values[node.Inputs[j]]!;
                values[i] = node.Apply(inputs);
                foreach (int j in node.Inputs)
                    if (_lastUse[j] == i && values[j] is { } done)
                    {
                        done.Dispose();
                        values[j] = null;
                    }
            }
            var result = values[^1]!;
            values[^1] = null;
            return result;
        }
        finally
        {
            foreach (var v in values) v?.Dispose();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _parameters) t.Dispose();
        if (_layers is not null)
            foreach (var l in _layers) l.Dispose();
        _mean?.Dispose();
        _std?.Dispose();
    }
}

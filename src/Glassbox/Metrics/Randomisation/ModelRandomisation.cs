using Glassbox.Models;
using Glassbox.Models.Graph;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Randomisation;

/// <summary>A layer whose parameters <see cref="ModelRandomisation"/> can re-initialise.</summary>
/// <param name="Name">The layer's name: "index:Type" of a layer list (e.g. "0:Conv2d"), or the ONNX node name of a graph.</param>
/// <param name="Type">Conv2d, Linear or BatchNorm2d (ONNX Conv, Gemm, BatchNormalization).</param>
public sealed record RandomisableLayer(string Name, string Type);

/// <summary>
/// Copies of a model with some layers' parameters re-initialised (Adebayo et al. 2018, "Sanity Checks for Saliency
/// Maps"), as PyTorch's <c>reset_parameters</c> does: convolution and linear weights and biases uniform in
/// ±1/√fan_in (Kaiming-uniform with a = √5), batch norms reset to weight 1, bias 0, mean 0, variance 1. The original
/// model is never changed: the copy shares every other layer with it (read only) and owns only its new layers. Works
/// for built-in CNNs and Sequential specs (their layer lists) and imported ONNX graphs (their Conv, Gemm and
/// BatchNormalization nodes); TorchScript and ONNX Runtime models hide their parameters and are refused.
/// </summary>
public static class ModelRandomisation
{
    /// <summary>The layers with parameters, from the input side to the output, or a clear error when they are not reachable.</summary>
    public static IReadOnlyList<RandomisableLayer> Layers(IImageModel model)
    {
        switch (model)
        {
            case ImageClassifier c:
            {
                var layers = new List<RandomisableLayer>();
                foreach (var (name, module) in c.Network.named_children())
                {
                    if (!module.parameters().Any() && !module.buffers().Any()) continue;
                    string type = module switch
                    {
                        Conv2d => "Conv2d",
                        Linear => "Linear",
                        BatchNorm2d => "BatchNorm2d",
                        _ => throw new GlassboxException(
                            $"Model randomisation re-initialises Conv2d, Linear and BatchNorm2d layers, but layer {name} of this {model.Kind} model is a {module.GetType().Name} with parameters. " +
                            "Export the model to ONNX and import it as a graph, or use a metric that does not randomise the model."),
                    };
                    layers.Add(new RandomisableLayer($"{name}:{type}", type));
                }
                return layers;
            }
            case GraphModel g:
                return g.Nodes.Where(n => GraphLayerType(n) is not null && Reachable(n, g.Device))
                    .Select(n => new RandomisableLayer(n.Name, GraphLayerType(n)!)).ToList();
            default:
                throw new GlassboxException(
                    $"Model randomisation re-initialises the model's layers, but this {model.Kind} model's parameters are not reachable from Glassbox" +
                    (model.Kind == ModelKind.TorchScript ? " (TorchSharp cannot walk a TorchScript module's parameters)" :
                     model.Kind == ModelKind.Onnx ? " (ONNX Runtime runs it as a black box)" : "") +
                    ". Load it as a Sequential spec, or as an ONNX file imported into a graph, or use a metric that does not randomise the model.");
        }
    }

    /// <summary>
    /// A copy of <paramref name="model"/> with the parameters of <paramref name="layers"/> (names from <see cref="Layers"/>)
    /// re-initialised; layer i of <see cref="Layers"/> draws from a generator seeded with <paramref name="seed"/> + 1 + i,
    /// so a layer gets the same values whether it is randomised alone or with others. Dispose the copy after use; the
    /// original stays as it was.
    /// </summary>
    public static IImageModel Randomise(IImageModel model, IReadOnlyCollection<string> layers, int seed)
    {
        var all = Layers(model);
        var unknown = layers.Where(l => all.All(a => a.Name != l)).ToArray();
        if (unknown.Length > 0)
            throw new GlassboxException($"Model randomisation: no layer {string.Join(", ", unknown.Select(u => $"'{u}'"))} with parameters. Layers: {string.Join(", ", all.Select(a => a.Name))}.");
        var position = all.Select((l, i) => (l.Name, i)).ToDictionary(p => p.Name, p => p.i);
        ulong SeedOf(string name) => unchecked((ulong)(seed + 1L + position[name]));
        using var noGrad = torch.no_grad();
        return model switch
        {
            ImageClassifier c => CopyLayers(c, layers.ToHashSet(), SeedOf),
            GraphModel g => CopyGraph(g, layers.ToHashSet(), SeedOf),
            _ => throw new InvalidOperationException("Layers() refuses other models."),
        };
    }

    private static RandomisedLayers CopyLayers(ImageClassifier source, HashSet<string> randomise, Func<string, ulong> seedOf)
    {
        var layers = new List<nn.Module<Tensor, Tensor>>();
        var owned = new List<nn.Module>();
        foreach (var (name, module) in source.Network.named_children())
        {
            var layer = (nn.Module<Tensor, Tensor>)module;
            string key = module switch { Conv2d => $"{name}:Conv2d", Linear => $"{name}:Linear", BatchNorm2d => $"{name}:BatchNorm2d", _ => "" };
            if (!randomise.Contains(key))
            {
                layers.Add(layer);
                continue;
            }
            using var generator = new Generator(seedOf(key));
            var fresh = Fresh(layer, generator);
            fresh.to(source.Device);
            fresh.eval();
            layers.Add(fresh);
            owned.Add(fresh);
        }
        return new RandomisedLayers(source, layers, owned);
    }

    /// <summary>A new layer of the same kind and shape as <paramref name="layer"/>, initialised as PyTorch's <c>reset_parameters</c>.</summary>
    private static nn.Module<Tensor, Tensor> Fresh(nn.Module<Tensor, Tensor> layer, Generator generator)
    {
        switch (layer)
        {
            case Conv2d conv when conv.padding is not null:
            {
                var w = conv.weight!;
                var fresh = nn.Conv2d(conv.in_channels, conv.out_channels, (w.shape[2], w.shape[3]),
                    stride: (conv.stride[0], conv.stride[1]), padding: (conv.padding[0], conv.padding[1]),
                    dilation: (conv.dilation[0], conv.dilation[1]), groups: conv.groups, bias: conv.bias is not null, dtype: w.dtype);
                Reset(fresh.weight!, fresh.bias, w.shape[1] * w.shape[2] * w.shape[3], generator);
                return fresh;
            }
            case Linear linear:
            {
                var w = linear.weight!;
                var fresh = nn.Linear(w.shape[1], w.shape[0], hasBias: linear.bias is not null, dtype: w.dtype);
                Reset(fresh.weight!, fresh.bias, w.shape[1], generator);
                return fresh;
            }
            case BatchNorm2d bn:
            {
                long features = (bn.running_mean ?? bn.weight)!.shape[0];
                var fresh = nn.BatchNorm2d(features, eps: bn.eps, affine: bn.weight is not null, track_running_stats: bn.running_mean is not null);
                return fresh; // a new batch norm is PyTorch's reset: weight 1, bias 0, running mean 0, variance 1
            }
            default:
                throw new GlassboxException($"Model randomisation cannot re-initialise a {layer.GetType().Name} layer (only Conv2d with explicit padding, Linear and BatchNorm2d).");
        }
    }

    /// <summary>PyTorch's Conv/Linear <c>reset_parameters</c>: weight and bias uniform in ±1/√fan_in.</summary>
    private static void Reset(Tensor weight, Tensor? bias, long fanIn, Generator generator)
    {
        double bound = fanIn > 0 ? 1 / Math.Sqrt(fanIn) : 0;
        weight.uniform_(-bound, bound, generator);
        bias?.uniform_(-bound, bound, generator);
    }

    private static string? GraphLayerType(GraphNode node) => node.OpType switch
    {
        "Conv" => "Conv",
        "Gemm" => "Gemm",
        "BatchNormalization" => "BatchNormalization",
        _ => null,
    };

    private static bool Reachable(GraphNode node, Device device)
    {
        using var module = ChainLayers.Module(node, device);
        return module is not null;
    }

    private static GraphModel CopyGraph(GraphModel source, HashSet<string> randomise, Func<string, ulong> seedOf)
    {
        var nodes = new List<GraphNode>();
        var owned = new List<Tensor>();
        foreach (var node in source.Nodes)
        {
            if (!randomise.Contains(node.Name) || GraphLayerType(node) is null)
            {
                nodes.Add(node);
                continue;
            }
            var module = ChainLayers.Module(node, source.Device)
                ?? throw new GlassboxException($"Model randomisation cannot re-initialise node '{node.Name}' ({node.OpType}).");
            using var generator = new Generator(seedOf(node.Name));
            var parameters = new Dictionary<string, Tensor>();
            switch (module)
            {
                case Conv2d conv:
                {
                    var w = conv.weight!;
                    Reset(w, conv.bias, w.shape[1] * w.shape[2] * w.shape[3], generator);
                    parameters["W"] = w;
                    if (conv.bias is { } b) parameters["B"] = b;
                    break;
                }
                case Linear linear:
                {
                    var w = linear.weight!;
                    Reset(w, linear.bias, w.shape[1], generator);
                    parameters["B"] = (long)node.Attributes["transB"] != 0 ? w : w.t().contiguous();
                    if (linear.bias is { } c) parameters["C"] = c;
                    break;
                }
                case BatchNorm2d bn:
                    bn.weight!.fill_(1); bn.bias!.zero_(); bn.running_mean!.zero_(); bn.running_var!.fill_(1);
                    parameters["scale"] = bn.weight; parameters["B"] = bn.bias; parameters["input_mean"] = bn.running_mean; parameters["input_var"] = bn.running_var;
                    break;
            }
            owned.AddRange(parameters.Values);
            var layer = module;
            nodes.Add(new GraphNode(node.Index, node.OpType, node.Name, node.Inputs, node.Operands, node.Attributes, parameters,
                node.OutputShape, xs => layer.forward(xs[0])));
        }
        return new GraphModel(source.Info, source.Device, nodes, owned, source.PerImage);
    }

    /// <summary>A layer list that shares the source's unrandomised layers and owns its new ones.</summary>
    private sealed class RandomisedLayers(ImageClassifier source, List<nn.Module<Tensor, Tensor>> layers, List<nn.Module> owned) : IImageModel
    {
        public ModelInfo Info => source.Info;
        public Device Device => source.Device;
        public ModelKind Kind => source.Kind;
        public bool SupportsGradients => true;
        public IReadOnlyList<nn.Module<Tensor, Tensor>> Layers => layers;
        public Tensor Preprocess(Tensor pixels) => source.Preprocess(pixels);

        public Tensor Forward(Tensor pixels)
        {
            var h = Preprocess(pixels);
            foreach (var layer in layers)
            {
                var next = layer.forward(h);
                if (!ReferenceEquals(next, h)) h.Dispose();
                h = next;
            }
            return h;
        }

        public void Dispose()
        {
            foreach (var m in owned) m.Dispose();
        }
    }
}

using Glassbox.Models.Residual;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Glassbox.Models.Graph;

/// <summary>
/// A built-in network with residual blocks as the <see cref="GraphModel"/> nodes that ONNX graphs import to, so the
/// propagation engine and CAMs walk it as they walk an imported ResNet: Conv, BatchNormalization (evaluation mode,
/// running statistics), Relu, Add (the residual sum), GlobalAveragePool, Flatten and Gemm nodes named by the module
/// paths of the state_dict (<c>conv1</c>, <c>layer2.0.conv1</c>, <c>layer2.0.downsample.0</c>, <c>layer2.0.add</c>,
/// <c>fc</c>). A block's downsample nodes come before its convolutions, so the last Conv in graph order is the last
/// block's <c>conv2</c>. The nodes read the modules' own weights when they run (no copy), so training and loading
/// weights into the network show in the graph.
/// </summary>
internal static class ModuleGraph
{
    /// <summary>True when <paramref name="network"/> holds a residual block, so it has no layer list and needs a graph.</summary>
    public static bool HasResidualBlocks(nn.Module network) => network.modules().Any(m => m is BasicBlock);

    /// <summary>The graph of <paramref name="network"/> (on <paramref name="device"/>) for inputs described by <paramref name="info"/>.</summary>
    public static GraphModel Build(ModelInfo info, Device device, Sequential network)
    {
        var builder = new Builder(info, device);
        try
        {
            builder.Walk(network, "", 0);
            var logits = builder.Shapes[^1];
            if (logits.Length != 2 || logits[1] != info.Classes)
                throw new GlassboxException($"The network returns shape {string.Join("×", logits)} for one image; {info.Classes} classes need 1×{info.Classes} logits.");
            return new GraphModel(info, device, builder.Nodes, [], perImage: false, ModelKind.BuiltIn);
        }
        finally
        {
            builder.Dispose();
        }
    }

    private sealed class Builder(ModelInfo info, Device device) : IDisposable
    {
        private readonly List<Tensor> _values = [zeros(1, info.Channels, info.Height, info.Width, device: device)];

        public List<GraphNode> Nodes { get; } =
        [
            new(0, GraphNode.InputOpType, "input", [], [], new Dictionary<string, object>(), new Dictionary<string, Tensor>(),
                [1, info.Channels, info.Height, info.Width], _ => throw new GlassboxException("Node 0 is the graph input; it computes nothing.")),
        ];

        public List<long[]> Shapes { get; } = [[1, info.Channels, info.Height, info.Width]];

        /// <summary>Adds the nodes of <paramref name="module"/> reading node <paramref name="input"/>; returns the index of its output node.</summary>
        public int Walk(nn.Module module, string name, int input)
        {
            switch (module)
            {
                case Sequential sequential:
                    foreach (var (child, m) in sequential.named_children()) input = Walk(m, Join(name, child), input);
                    return input;
                case BasicBlock block:
                {
                    int shortcut = block.Downsample is null ? input : Walk(block.Downsample, Join(name, "downsample"), input);
                    int y = Walk(block.Conv1, Join(name, "conv1"), input);
                    y = Walk(block.Bn1, Join(name, "bn1"), y);
                    y = Add("Relu", Join(name, "relu"), [y], [], x => F.relu(x[0]));
                    y = Walk(block.Conv2, Join(name, "conv2"), y);
                    y = Walk(block.Bn2, Join(name, "bn2"), y);
                    int sum = Add("Add", Join(name, "add"), [y, shortcut], [], x => x[0] + x[1]);
                    return Add("Relu", Join(name, "relu_1"), [sum], [], x => F.relu(x[0]));
                }
                case Conv2d conv when conv.padding is { Length: 2 } padding:
                {
                    long[] strides = [.. conv.stride], dilations = [.. conv.dilation], pads = [padding[0], padding[1], padding[0], padding[1]];
                    long groups = conv.groups;
                    var parameters = new Dictionary<string, Tensor> { ["W"] = conv.weight! };
                    if (conv.bias is { } b) parameters["B"] = b;
                    var attributes = new Dictionary<string, object>
                    {
                        ["kernel_shape"] = conv.weight!.shape[2..], ["strides"] = strides, ["dilations"] = dilations, ["pads"] = pads, ["group"] = groups,
                    };
                    long[] pad2 = [padding[0], padding[1]];
                    return Add("Conv", name, [input], attributes, x => F.conv2d(x[0], conv.weight!, conv.bias, strides, pad2, dilations, groups), parameters);
                }
                case BatchNorm2d bn when bn.running_mean is not null && bn.running_var is not null && bn.weight is not null && bn.bias is not null:
                {
                    double eps = bn.eps;
                    var parameters = new Dictionary<string, Tensor>
                    {
                        ["scale"] = bn.weight, ["B"] = bn.bias, ["input_mean"] = bn.running_mean, ["input_var"] = bn.running_var,
                    };
                    return Add("BatchNormalization", name, [input], new Dictionary<string, object> { ["epsilon"] = eps },
                        x => F.batch_norm(x[0], bn.running_mean!, bn.running_var!, bn.weight!, bn.bias!, false, 0.0, eps), parameters);
                }
                case ReLU:
                    return Add("Relu", name, [input], [], x => F.relu(x[0]));
                case AdaptiveAvgPool2d:
                {
                    int pooled = Add("GlobalAveragePool", name, [input], [], x => x[0].mean([2, 3], keepdim: true));
                    using var check = ((AdaptiveAvgPool2d)module).forward(_values[input]);
                    if (!check.shape.SequenceEqual(Shapes[pooled]))
                        throw Unsupported(module, name, "it pools to more than one value per channel");
                    return pooled;
                }
                case Flatten:
                    if (Shapes[input].Length != 4) throw Unsupported(module, name, "it flattens something other than a feature map");
                    return Add("Flatten", name, [input], new Dictionary<string, object> { ["axis"] = 1L }, x => x[0].reshape(x[0].shape[0], -1));
                case Linear linear:
                {
                    var parameters = new Dictionary<string, Tensor> { ["B"] = linear.weight! };
                    if (linear.bias is { } b) parameters["C"] = b;
                    var attributes = new Dictionary<string, object> { ["alpha"] = 1.0, ["beta"] = 1.0, ["transA"] = 0L, ["transB"] = 1L };
                    return Add("Gemm", name, [input], attributes, x => F.linear(x[0], linear.weight!, linear.bias), parameters);
                }
                default:
                    throw Unsupported(module, name, "the graph of built-in residual networks has no node for it");
            }
        }

        private static GlassboxException Unsupported(nn.Module module, string name, string why)
            => new($"Module '{name}' ({module.GetType().Name}) cannot be a graph node: {why}. Use the built-in architectures' layers (Conv2d, BatchNorm2d, ReLU, BasicBlock, AdaptiveAvgPool2d(1), Flatten, Linear).");

        private static string Join(string prefix, string name) => prefix.Length == 0 ? name : $"{prefix}.{name}";

        private int Add(string opType, string name, int[] inputs, Dictionary<string, object> attributes,
            Func<IReadOnlyList<Tensor>, Tensor> function, Dictionary<string, Tensor>? parameters = null)
        {
            parameters ??= [];
            var operands = inputs.Select(i => new GraphOperand(i, null)).Concat(parameters.Keys.Select(k => new GraphOperand(-1, k))).ToArray();
            Tensor value;
            using (no_grad()) value = function(inputs.Select(i => _values[i]).ToArray());
            _values.Add(value);
            Shapes.Add(value.shape);
            Nodes.Add(new GraphNode(Nodes.Count, opType, name, inputs, operands, attributes, parameters, value.shape, function));
            return Nodes.Count - 1;
        }

        public void Dispose()
        {
            foreach (var v in _values) v.Dispose();
        }
    }
}

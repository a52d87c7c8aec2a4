using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Models.Graph;

/// <summary>
/// The <c>nn.Module</c> list equivalent to a graph that is a plain chain (each node takes only the previous one) of
/// layer-like ops: Conv, Gemm (as Linear), BatchNormalization, the activations (not Clip), pools, Flatten, Softmax, Dropout,
/// Identity (zero Pads are skipped). Lets layer-wise propagation rules and CAMs run on simple ONNX models.
/// </summary>
internal static class ChainLayers
{
    /// <summary>The layers, or null when the graph branches or holds an op without a layer equivalent.</summary>
    public static List<nn.Module<Tensor, Tensor>>? TryBuild(IReadOnlyList<GraphNode> nodes, Device device)
    {
        for (int i = 1; i < nodes.Count; i++)
            if (nodes[i].Inputs.Count != 1 || nodes[i].Inputs[0] != i - 1 || nodes[i].Operands[0].Node != i - 1)
                return null;
        var layers = new List<nn.Module<Tensor, Tensor>>();
        using var noGrad = no_grad();
        foreach (var node in nodes.Skip(1))
        {
            // torch.onnx.export puts a zero Pad before AveragePool: nothing to compute.
            if (node.OpType == "Pad" && ((long[])node.Attributes["pads"]).All(p => p == 0)) continue;
            var layer = Layer(node);
            if (layer is null)
            {
                foreach (var l in layers) l.Dispose();
                return null;
            }
            layer.to(device);
            layer.eval();
            layers.Add(layer);
        }
        return layers;
    }

    /// <summary>The <c>nn.Module</c> equivalent to <paramref name="node"/> alone (evaluation mode, on <paramref name="device"/>), or null when it has none.</summary>
    public static nn.Module<Tensor, Tensor>? Module(GraphNode node, Device device)
    {
        using var noGrad = no_grad();
        var layer = Layer(node);
        layer?.to(device);
        layer?.eval();
        return layer;
    }

    private static T A<T>(GraphNode n, string key) => (T)n.Attributes[key];

    private static bool Symmetric(long[] pads) => pads.Length == 4 && pads[0] == pads[2] && pads[1] == pads[3];

    private static nn.Module<Tensor, Tensor>? Layer(GraphNode n)
    {
        var p = n.Parameters;
        switch (n.OpType)
        {
            case "Conv" when p.ContainsKey("W") && Symmetric(A<long[]>(n, "pads")):
            {
                var w = p["W"];
                long[] k = A<long[]>(n, "kernel_shape"), s = A<long[]>(n, "strides"), d = A<long[]>(n, "dilations"), pads = A<long[]>(n, "pads");
                long groups = A<long>(n, "group");
                var conv = nn.Conv2d(w.shape[1] * groups, w.shape[0], (k[0], k[1]), (s[0], s[1]), (pads[0], pads[1]), (d[0], d[1]),
                    groups: groups, bias: p.ContainsKey("B"));
                conv.weight!.copy_(w);
                if (p.TryGetValue("B", out var b)) conv.bias!.copy_(b);
                return conv;
            }
            case "Gemm" when p.ContainsKey("B") && A<long>(n, "transA") == 0 && A<double>(n, "alpha") == 1 && A<double>(n, "beta") == 1:
            {
                using var w = A<long>(n, "transB") != 0 ? p["B"].alias() : p["B"].t();
                bool bias = p.TryGetValue("C", out var c);
                if (bias && c!.numel() != w.shape[0]) return null;
                var linear = nn.Linear(w.shape[1], w.shape[0], hasBias: bias);
                linear.weight!.copy_(w);
                if (bias) linear.bias!.copy_(c!.reshape(-1));
                return linear;
            }
            case "BatchNormalization" when p.Count == 4 && n.OutputShape.Count == 4:
            {
                var bn = nn.BatchNorm2d(n.OutputShape[1], eps: A<double>(n, "epsilon"));
                bn.weight!.copy_(p["scale"]);
                bn.bias!.copy_(p["B"]);
                bn.running_mean!.copy_(p["input_mean"]);
                bn.running_var!.copy_(p["input_var"]);
                return bn;
            }
            case "MaxPool" when Symmetric(A<long[]>(n, "pads")):
            {
                long[] k = A<long[]>(n, "kernel_shape"), pads = A<long[]>(n, "pads");
                if (pads[0] * 2 > k[0] || pads[1] * 2 > k[1]) return null;
                return nn.MaxPool2d(k, A<long[]>(n, "strides"), pads[..2], A<long[]>(n, "dilations"), A<long>(n, "ceil_mode") != 0);
            }
            case "AveragePool" when Symmetric(A<long[]>(n, "pads")):
            {
                long[] k = A<long[]>(n, "kernel_shape"), pads = A<long[]>(n, "pads");
                if (pads[0] * 2 > k[0] || pads[1] * 2 > k[1]) return null;
                return nn.AvgPool2d(k, A<long[]>(n, "strides"), pads[..2], A<long>(n, "ceil_mode") != 0, A<long>(n, "count_include_pad") != 0);
            }
            case "GlobalAveragePool" when n.OutputShape.Count == 4: return nn.AdaptiveAvgPool2d(1);
            case "Flatten" when A<long>(n, "axis") == 1: return nn.Flatten();
            case "Relu": return nn.ReLU();
            case "LeakyRelu": return nn.LeakyReLU(A<double>(n, "alpha"));
            case "Elu": return nn.ELU(A<double>(n, "alpha"));
            case "Sigmoid": return nn.Sigmoid();
            case "Tanh": return nn.Tanh();
            case "Softplus": return nn.Softplus();
            // No Clip: TorchSharp 0.107's nn.Hardtanh returns its input unclamped, so a chain with Clip has no layer list.
            case "Softmax" when n.OutputShape.Count == 2 && A<long>(n, "axis") is 1 or -1: return nn.Softmax(1);
            case "Dropout": return nn.Dropout();
            case "Identity": return nn.Identity();
            default: return null;
        }
    }
}

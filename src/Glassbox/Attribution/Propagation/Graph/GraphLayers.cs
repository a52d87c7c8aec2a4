using Glassbox.Models.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// The nodes of a <see cref="GraphModel"/> as a <see cref="LayerGraph"/> with the same value indices (value 0 the
/// preprocessed input, value i the output of node i): a node with an <c>nn.Module</c> equivalent (Conv, Gemm,
/// BatchNormalization, activations, pools, Softmax, ...) becomes that module, so the existing rules apply to it;
/// every other node becomes a <see cref="GraphOp"/>.
/// </summary>
internal static class GraphLayers
{
    private static readonly HashSet<string> ModuleOps =
        ["Conv", "Gemm", "BatchNormalization", "MaxPool", "AveragePool", "Relu", "LeakyRelu", "Elu", "Sigmoid", "Tanh", "Softplus", "Softmax", "Dropout", "Identity"];
    // Not Clip: TorchSharp 0.107's nn.Hardtanh returns its input unclamped; the node itself (clamp) is used instead.

    /// <summary>The traced graph of <paramref name="model"/>.</summary>
    public static LayerGraph Trace(GraphModel model)
    {
        var nodes = new List<LayerNode>();
        foreach (var node in model.Nodes.Skip(1))
        {
            nn.Module<Tensor, Tensor>? module = null;
            if (ModuleOps.Contains(node.OpType) && node.Inputs.Count == 1 && node.Operands.Count > 0 && node.Operands[0].Node == node.Inputs[0])
                module = ChainLayers.Module(node, model.Device);
            nodes.Add(new LayerNode(module ?? new GraphOp(node, model.PerImage), node.Inputs.ToArray(), node.Name));
        }
        return new LayerGraph(nodes);
    }
}

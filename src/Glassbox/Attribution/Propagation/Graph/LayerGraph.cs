using Glassbox.Models;
using Glassbox.Models.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>One layer of a traced model: its module and the values it reads.</summary>
/// <param name="Module">The layer.</param>
/// <param name="Inputs">Indices of the values the layer reads: 0 is the graph's input, j + 1 the output of node j.</param>
/// <param name="Name">The node's name in its model (an ONNX node name), or null.</param>
public sealed record LayerNode(nn.Module<Tensor, Tensor> Module, IReadOnlyList<int> Inputs, string? Name = null)
{
    /// <summary>How error messages name the node: its module type, with the ONNX node's name and op when it has one.</summary>
    public string Describe() => Module is GraphOp op ? op.Describe() : Name is null ? Module.GetType().Name : $"node '{Name}' ({Module.GetType().Name})";
}

/// <summary>
/// A model traced into nodes in topological order (each node reads only earlier values), the structure the backward
/// rules walk in reverse. Sequential models are a chain; graph operations with several inputs fit the same shape.
/// </summary>
public sealed class LayerGraph
{
    /// <summary>A graph over <paramref name="nodes"/>, which must be in topological order.</summary>
    public LayerGraph(IReadOnlyList<LayerNode> nodes)
    {
        for (int i = 0; i < nodes.Count; i++)
            foreach (int input in nodes[i].Inputs)
                if (input < 0 || input > i)
                    throw new GlassboxException($"Node {i} ({nodes[i].Describe()}) reads value {input}, which is not computed before it; order the nodes topologically.");
        Nodes = nodes;
    }

    /// <summary>The nodes in topological order; the last node's output is the graph's output.</summary>
    public IReadOnlyList<LayerNode> Nodes { get; }

    /// <summary>A chain: node i reads the output of node i − 1 (node 0 reads the input).</summary>
    public static LayerGraph Sequential(IReadOnlyList<nn.Module<Tensor, Tensor>> layers)
        => new(layers.Select((layer, i) => new LayerNode(layer, [i])).ToList());

    /// <summary>
    /// The visible layers of <paramref name="model"/> (after its input normalisation) as a graph; refuses opaque models
    /// and modules used twice, naming <paramref name="method"/>.
    /// </summary>
    public static LayerGraph FromModel(IImageModel model, string method)
    {
        if (model.NodeGraph is { } graphModel) return GraphLayers.Trace(graphModel);
        var layers = ModelCapabilities.RequireLayers(model, method);
        var seen = new HashSet<nn.Module>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < layers.Count; i++)
            if (!seen.Add(layers[i]))
                throw new GlassboxException($"Layer {i} ({layers[i].GetType().Name}) is the same module as an earlier layer (a module used twice); {method} needs each module once. Give each use its own module.");
        return Sequential(layers);
    }

    /// <summary>The graph without its last node when that node is a <typeparamref name="T"/> (e.g. a final softmax).</summary>
    public LayerGraph WithoutLast<T>() where T : nn.Module
        => Nodes.Count > 0 && Nodes[^1].Module is T ? new LayerGraph(Nodes.Take(Nodes.Count - 1).ToList()) : this;

    /// <summary>All values of a forward pass without gradients: index 0 the input, j + 1 the output of node j.</summary>
    public Tensor[] Forward(Tensor input)
    {
        using var noGrad = torch.no_grad();
        var values = new Tensor[Nodes.Count + 1];
        values[0] = input;
        for (int i = 0; i < Nodes.Count; i++)
        {
            var node = Nodes[i];
            if (node.Module is GraphOp op)
                values[i + 1] = op.Forward(node.Inputs.Select(j => values[j]).ToArray());
            else if (node.Inputs.Count != 1)
                throw new GlassboxException($"Node {i} ({node.Describe()}) has {node.Inputs.Count} inputs; only single-input layers and graph nodes can run here.");
            else
                values[i + 1] = node.Module.forward(values[node.Inputs[0]]);
        }
        return values;
    }

    /// <summary>
    /// Values 0..<paramref name="until"/> of a forward pass in the current autograd mode, with value
    /// <paramref name="replaceAt"/> taken from <paramref name="replacement"/> instead of computed (to differentiate
    /// the output with respect to an inner value, as CAMs do).
    /// </summary>
    public Tensor[] Evaluate(Tensor input, int until, int replaceAt = -1, Tensor? replacement = null)
    {
        var values = new Tensor[until + 1];
        values[0] = replaceAt == 0 && replacement is not null ? replacement : input;
        for (int i = 1; i <= until; i++)
        {
            if (i == replaceAt && replacement is not null) { values[i] = replacement; continue; }
            var node = Nodes[i - 1];
            values[i] = node.Module is GraphOp op ? op.Forward(node.Inputs.Select(j => values[j]).ToArray()) : node.Module.forward(values[node.Inputs[0]]);
        }
        return values;
    }

    /// <summary>The graph's output for <paramref name="input"/>.</summary>
    public Tensor Output(Tensor input) => Forward(input)[^1];
}

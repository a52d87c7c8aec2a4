using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// Maps every layer of a traced model to a backward rule, as a Zennit composite: a layer map by module type, an
/// optional map for the first weighted layer (Conv2d or Linear) that falls back to the layer map, and canonizers that
/// rewrite the graph first.
/// </summary>
/// <param name="Name">The composite's name.</param>
/// <param name="LayerMap">The rule for a layer, or null when the composite has none.</param>
/// <param name="Supported">The layer types that have a rule, as an error message lists them.</param>
/// <param name="FirstLayerMap">The rule for the first weighted layer, or null to use <paramref name="LayerMap"/>.</param>
/// <param name="Canonizers">Graph rewrites applied before the rules are assigned.</param>
public sealed record Composite(
    string Name, Func<nn.Module<Tensor, Tensor>, IBackwardRule?> LayerMap, string Supported,
    Func<nn.Module<Tensor, Tensor>, IBackwardRule?>? FirstLayerMap = null, IReadOnlyList<ICanonizer>? Canonizers = null)
{
    /// <summary>Layer types every propagation method handles.</summary>
    public const string CommonLayers = "Conv2d, Linear, Flatten, ReLU, LeakyReLU, ELU, Sigmoid, Tanh, Softplus, Hardtanh, Softmax (over classes), MaxPool2d, AvgPool2d, BatchNorm2d and Dropout (evaluation mode), Identity; "
        + "ONNX graph nodes Conv, Gemm, MatMul, Add, Sub, Mul, Div (by a constant), Concat, Relu, LeakyRelu, Elu, Sigmoid, Tanh, Softplus, Clip, MaxPool, AveragePool, GlobalAveragePool, ReduceMean, "
        + "BatchNormalization, Pad, Flatten, Reshape, Transpose, Squeeze, Unsqueeze, Slice, Cast, Softmax (over classes), Dropout, Identity";

    /// <summary>
    /// The canonized graph and one rule per node; throws a <see cref="GlassboxException"/> naming the first layer
    /// without a rule (or with a configuration no rule handles) and <paramref name="method"/>.
    /// </summary>
    public BackwardPass Build(LayerGraph graph, string method)
    {
        foreach (var canonizer in Canonizers ?? []) graph = canonizer.Apply(graph);
        var rules = new IBackwardRule[graph.Nodes.Count];
        int first = -1;
        for (int i = 0; i < graph.Nodes.Count && first < 0; i++)
            if (WeightedLayer.Is(graph.Nodes[i].Module)) first = i;
        for (int i = 0; i < rules.Length; i++)
        {
            var layer = graph.Nodes[i].Module;
            CheckConfiguration(layer, i, method);
            rules[i] = (i == first ? FirstLayerMap?.Invoke(layer) : null) ?? LayerMap(layer)
                ?? throw new GlassboxException($"Layer {i} ({graph.Nodes[i].Describe()}) has no {method} rule"
                    + (layer is GraphOp { Refusal: { } why } ? $": {why}" : "") + $". Supported: {Supported}.");
        }
        return new BackwardPass(graph, rules);
    }

    private static void CheckConfiguration(nn.Module<Tensor, Tensor> layer, int i, string method)
    {
        switch (layer)
        {
            case Conv2d c when c.padding_mode != PaddingModes.Zeros || (c.padding is null && c.padding_type == Padding.Same):
                throw new GlassboxException($"Layer {i} (Conv2d) uses padding mode {c.padding_mode} {c.padding_type}; {method} supports explicit zero padding only.");
            case Softmax s when s.dim != 1 && s.dim != -1:
                throw new GlassboxException($"Layer {i} (Softmax over dimension {s.dim}) is not supported; {method} handles softmax over the classes of an N×K output.");
        }
    }
}

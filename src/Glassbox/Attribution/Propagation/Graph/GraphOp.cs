using Glassbox.Models.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// An ONNX node of a <see cref="GraphModel"/> as a module of a <see cref="LayerGraph"/>, for the nodes without an
/// <c>nn.Module</c> equivalent (residual additions, concatenations, products, reshapes, reductions): the rules read
/// its <see cref="Kind"/> and <see cref="Node"/>.
/// </summary>
public sealed class GraphOp : nn.Module<Tensor, Tensor>
{
    private readonly bool _perImage;

    /// <summary>Wraps <paramref name="node"/>; <paramref name="perImage"/> when the graph runs one image at a time.</summary>
    public GraphOp(GraphNode node, bool perImage = false) : base(node.Name)
    {
        Node = node;
        _perImage = perImage;
        (Kind, Refusal) = Classify(node);
    }

    /// <summary>The ONNX node.</summary>
    public GraphNode Node { get; }

    /// <summary>How the rules treat the node.</summary>
    public GraphOpKind Kind { get; }

    /// <summary>Why a rule that needs more than the gradient cannot handle the node, or null.</summary>
    public string? Refusal { get; }

    /// <summary>"node 'NAME' (OpType)", as error messages name it.</summary>
    public string Describe() => $"node '{Node.Name}' ({Node.OpType})";

    /// <inheritdoc />
    public override Tensor forward(Tensor input) => Forward([input]);

    /// <summary>The node applied to its inputs (image by image when the graph fixes the batch to one).</summary>
    public Tensor Forward(IReadOnlyList<Tensor> inputs)
    {
        long rows = inputs[0].shape[0];
        if (!_perImage || rows == 1) return Node.Apply(inputs);
        var outputs = new Tensor[rows];
        for (long i = 0; i < rows; i++) outputs[i] = Node.Apply(inputs.Select(t => t.narrow(0, i, 1)).ToArray());
        return torch.cat(outputs, 0);
    }

    private static (GraphOpKind, string?) Classify(GraphNode node)
    {
        bool constant = node.Operands.Any(o => o.IsConstant);
        if (node.Inputs.Count >= 2)
            return node.OpType switch
            {
                "Add" or "Sub" when node.Inputs.Count == 2 => (GraphOpKind.Sum, null),
                "Mul" when node.Inputs.Count == 2 => (GraphOpKind.Product, null),
                "Concat" => (GraphOpKind.Concat, null),
                _ => (GraphOpKind.Other, "it combines several activations in a way no rule covers"),
            };
        bool first = node.Operands.Count > 0 && !node.Operands[0].IsConstant;
        return node.OpType switch
        {
            "Flatten" or "Reshape" or "Transpose" or "Squeeze" or "Unsqueeze" or "Pad" or "Slice" or "Cast" => (GraphOpKind.Shape, null),
            "GlobalAveragePool" or "ReduceMean" or "AveragePool" or "BatchNormalization" => (GraphOpKind.Linear, null),
            "Conv" or "Gemm" or "MatMul" when constant => (GraphOpKind.Linear, null),
            "Add" or "Sub" or "Mul" when constant => (GraphOpKind.Scale, null),
            "Div" when constant && first => (GraphOpKind.Scale, null),
            "Div" => (GraphOpKind.Other, "it divides by an activation"),
            "Relu" or "LeakyRelu" or "Elu" or "Sigmoid" or "Tanh" or "Softplus" or "Clip" => (GraphOpKind.Elementwise, null),
            "Dropout" or "Identity" => (GraphOpKind.Pass, null),
            "MaxPool" => (GraphOpKind.MaxPool, null),
            "Softmax" when node.Attributes.TryGetValue("axis", out var axis) && ((long)axis == -1 || (long)axis == node.OutputShape.Count - 1) => (GraphOpKind.Softmax, null),
            "Softmax" => (GraphOpKind.Other, "only a softmax over the last axis has a rule"),
            _ => (GraphOpKind.Other, "no propagation rule covers this op"),
        };
    }
}

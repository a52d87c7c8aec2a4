using static TorchSharp.torch;

namespace Glassbox.Models.Graph;

/// <summary>
/// One node of a <see cref="GraphModel"/>: an ONNX operator with its attributes, its constant operands (initializers
/// and folded constants) and the indices of the nodes whose outputs it takes. Node 0 is the preprocessed image
/// (<see cref="InputOpType"/>); every other node takes only earlier nodes, so the list is in topological order.
/// </summary>
public sealed class GraphNode
{
    /// <summary>The op type of node 0, the preprocessed N×C×H×W input.</summary>
    public const string InputOpType = "Input";

    private readonly Func<IReadOnlyList<Tensor>, Tensor> _function;

    internal GraphNode(int index, string opType, string name, IReadOnlyList<int> inputs, IReadOnlyList<GraphOperand> operands,
        IReadOnlyDictionary<string, object> attributes, IReadOnlyDictionary<string, Tensor> parameters,
        IReadOnlyList<long> outputShape, Func<IReadOnlyList<Tensor>, Tensor> function)
    {
        Index = index; OpType = opType; Name = name; Inputs = inputs; Operands = operands;
        Attributes = attributes; Parameters = parameters; OutputShape = outputShape; _function = function;
    }

    /// <summary>Position in <see cref="GraphModel.Nodes"/>.</summary>
    public int Index { get; }

    /// <summary>The ONNX op type (<c>Conv</c>, <c>Gemm</c>, <c>Add</c>, ...), or <see cref="InputOpType"/>.</summary>
    public string OpType { get; }

    /// <summary>The ONNX node name (or <c>OpType_k</c> when the file leaves it empty).</summary>
    public string Name { get; }

    /// <summary>Indices of the nodes whose outputs this node takes, in operand order (several for Add, Mul, Concat).</summary>
    public IReadOnlyList<int> Inputs { get; }

    /// <summary>
    /// The tensor operands in ONNX input order (omitted optional inputs and the configuration inputs read into
    /// <see cref="Attributes"/> are left out): a node output (<see cref="GraphOperand.Node"/>) or a constant
    /// (<see cref="GraphOperand.Parameter"/>, a key of <see cref="Parameters"/>). Shows e.g. whether Sub subtracts a
    /// constant from the activation or the activation from a constant.
    /// </summary>
    public IReadOnlyList<GraphOperand> Operands { get; }

    /// <summary>
    /// ONNX attributes, plus constant configuration inputs read at load (<c>shape</c> of Reshape, <c>axes</c>, <c>pads</c>,
    /// <c>min</c>/<c>max</c> of Clip): <see cref="long"/>, <see cref="double"/>, <see cref="string"/>, <c>long[]</c> or <c>double[]</c>.
    /// </summary>
    public IReadOnlyDictionary<string, object> Attributes { get; }

    /// <summary>Constant tensor operands keyed by the ONNX input name (Conv: <c>W</c>, <c>B</c>; Gemm: <c>B</c>, <c>C</c>; BatchNormalization: <c>scale</c>, <c>B</c>, <c>input_mean</c>, <c>input_var</c>; Add: <c>A</c> or <c>B</c>).</summary>
    public IReadOnlyDictionary<string, Tensor> Parameters { get; }

    /// <summary>The output shape for a batch of one image, inferred and checked at load.</summary>
    public IReadOnlyList<long> OutputShape { get; }

    /// <summary>Applies the op to the outputs of <see cref="Inputs"/> (in that order); differentiable.</summary>
    public Tensor Apply(IReadOnlyList<Tensor> inputs)
    {
        if (inputs.Count != Inputs.Count)
            throw new GlassboxException($"Node '{Name}' ({OpType}) takes {Inputs.Count} inputs, got {inputs.Count}.");
        try
        {
            return _function(inputs);
        }
        catch (Exception e) when (e is not GlassboxException)
        {
            throw new GlassboxException($"Node '{Name}' ({OpType}) fails on inputs of shape {string.Join(", ", inputs.Select(t => string.Join("×", t.shape)))}: {e.Message.Split('\n')[0]}");
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"{Index}: {OpType} '{Name}' ← [{string.Join(", ", Inputs)}] → {string.Join("×", OutputShape)}";
}

/// <summary>One operand of a <see cref="GraphNode"/>: the output of node <see cref="Node"/>, or the constant <see cref="Parameter"/>.</summary>
/// <param name="Node">Index of the node whose output is the operand, or -1 for a constant.</param>
/// <param name="Parameter">Key in <see cref="GraphNode.Parameters"/> for a constant, else null.</param>
public sealed record GraphOperand(int Node, string? Parameter)
{
    /// <summary>True when the operand is a constant.</summary>
    public bool IsConstant => Parameter is not null;
}

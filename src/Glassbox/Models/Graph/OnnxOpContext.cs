using Onnx;
using static TorchSharp.torch;

namespace Glassbox.Models.Graph;

/// <summary>One operand of an ONNX node while the graph is imported: a node output (with its value for a one-image dummy input) or a constant.</summary>
/// <param name="Value">The constant, or the node output computed on the dummy input at load.</param>
/// <param name="AtBatch2">For a constant folded from a <c>Shape</c> chain, its value when the batch has two images; null when it does not depend on the batch.</param>
/// <param name="Node">The producing node's index for a node output, else -1.</param>
internal sealed record OnnxOperand(Tensor Value, Tensor? AtBatch2, int Node)
{
    public bool IsDynamic => Node >= 0;
}

/// <summary>What an op builder sees of one ONNX node: its attributes, its operands and their shapes at load.</summary>
internal sealed class OnnxOpContext(NodeProto proto, string name, long opset, IReadOnlyList<OnnxOperand?> operands)
{
    private readonly Dictionary<string, object> _raw = OnnxTensors.Attributes(proto);

    public NodeProto Proto { get; } = proto;
    public string Name { get; } = name;
    public string OpType => Proto.OpType;
    public long Opset { get; } = opset;
    public IReadOnlyList<OnnxOperand?> Operands { get; } = operands;

    /// <summary>Attributes recorded on the node: the ONNX attributes plus constant configuration inputs.</summary>
    public Dictionary<string, object> Attributes { get; } = OnnxTensors.Attributes(proto);

    /// <summary>Operand positions read at load as configuration (shape, axes, pads, ...), not kept as operands.</summary>
    public HashSet<int> ConfigInputs { get; } = [];

    public OnnxRefusal Refuse(string what) => new($"node '{Name}' ({OpType}): {what}");

    public long Int(string key, long fallback) => _raw.TryGetValue(key, out var v) ? (long)v : fallback;
    public double Float(string key, double fallback) => _raw.TryGetValue(key, out var v) ? (double)v : fallback;
    public string Str(string key, string fallback) => _raw.TryGetValue(key, out var v) ? (string)v : fallback;
    public long[]? Ints(string key) => _raw.TryGetValue(key, out var v) ? (long[])v : null;

    public bool Has(int pos) => pos >= 0 && pos < Operands.Count && Operands[pos] is not null;

    /// <summary>Shape of operand <paramref name="pos"/> for a one-image input.</summary>
    public long[] Shape(int pos) => Operands[pos]!.Value.shape;

    /// <summary>A constant configuration input (axes, pads, shape, min, max), or null when omitted.</summary>
    public Tensor? Config(int pos, bool batchMayVary = false)
    {
        if (!Has(pos)) return null;
        var o = Operands[pos]!;
        if (o.IsDynamic) throw Refuse($"input {pos} ('{Proto.Input[pos]}') is computed from the image; the importer needs it constant");
        if (o.AtBatch2 is not null && !batchMayVary) throw Refuse($"input {pos} ('{Proto.Input[pos]}') depends on the batch size");
        ConfigInputs.Add(pos);
        return o.Value;
    }

    /// <summary>Integers from configuration input <paramref name="pos"/> (opset ≥ 13 style) or attribute <paramref name="key"/>, recorded as attribute <paramref name="key"/>.</summary>
    public long[]? Longs(int pos, string key)
    {
        long[]? values = Config(pos) is { } t ? t.to_type(ScalarType.Int64).data<long>().ToArray() : Ints(key);
        if (values is not null) Attributes[key] = values;
        return values;
    }

    /// <summary>A scalar from configuration input <paramref name="pos"/> or attribute <paramref name="key"/>, recorded as attribute <paramref name="key"/>.</summary>
    public double? Scalar(int pos, string key)
    {
        double? value = Config(pos) is { } t ? t.to_type(ScalarType.Float64).item<double>() : _raw.TryGetValue(key, out var v) ? (double)v : null;
        if (value is { } x) Attributes[key] = x;
        return value;
    }
}

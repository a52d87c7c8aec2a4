using System.Runtime.InteropServices;
using Onnx;
using static TorchSharp.torch;

namespace Glassbox.Models.Graph;

/// <summary>Reads ONNX <c>TensorProto</c> initializers and node attributes into TorchSharp tensors and CLR values.</summary>
internal static class OnnxTensors
{
    /// <summary>The tensor stored in <paramref name="t"/> (float, double, int32/int64 or bool), on <paramref name="device"/>.</summary>
    public static Tensor ToTensor(TensorProto t, Device device)
    {
        if (t.DataLocation == TensorProto.Types.DataLocation.External || t.ExternalData.Count > 0)
            throw new OnnxRefusal($"tensor '{t.Name}' keeps its data in an external file; save the model with the weights inside the .onnx file");
        long[] dims = t.Dims.ToArray();
        long count = dims.Aggregate(1L, (a, b) => a * b);
        var raw = t.RawData.Span;
        Tensor result = (TensorProto.Types.DataType)t.DataType switch
        {
            TensorProto.Types.DataType.Float => tensor(Read(raw, t.FloatData, count, t.Name), dims),
            TensorProto.Types.DataType.Double => tensor(Read(raw, t.DoubleData, count, t.Name), dims),
            TensorProto.Types.DataType.Int64 => tensor(Read(raw, t.Int64Data, count, t.Name), dims),
            TensorProto.Types.DataType.Int32 => tensor(Read(raw, t.Int32Data, count, t.Name), dims),
            TensorProto.Types.DataType.Bool => tensor(Read(raw, t.Int32Data, count, t.Name).Select(v => v != 0).ToArray(), dims),
            var other => throw new OnnxRefusal($"tensor '{t.Name}' has element type {other}; the importer reads float, double, int32, int64 and bool"),
        };
        return device.type == TorchSharp.DeviceType.CPU ? result : result.to(device);
    }

    private static T[] Read<T>(ReadOnlySpan<byte> raw, IList<T> typed, long count, string name) where T : unmanaged
    {
        T[] values = raw.Length > 0 ? MemoryMarshal.Cast<byte, T>(raw).ToArray() : typed.ToArray();
        if (values.Length != count)
            throw new OnnxRefusal($"tensor '{name}' holds {values.Length} values but its shape needs {count}");
        return values;
    }

    /// <summary>The attributes of <paramref name="node"/> as CLR values (long, double, string, long[], double[]); tensor attributes are left out.</summary>
    public static Dictionary<string, object> Attributes(NodeProto node)
    {
        var result = new Dictionary<string, object>();
        foreach (var a in node.Attribute)
        {
            object? v = a.Type switch
            {
                AttributeProto.Types.AttributeType.Int => a.I,
                AttributeProto.Types.AttributeType.Float => (double)a.F,
                AttributeProto.Types.AttributeType.String => a.S.ToStringUtf8(),
                AttributeProto.Types.AttributeType.Ints => a.Ints.ToArray(),
                AttributeProto.Types.AttributeType.Floats => a.Floats.Select(f => (double)f).ToArray(),
                _ => null,
            };
            if (v is not null) result[a.Name] = v;
        }
        return result;
    }

    /// <summary>The value of a <c>Constant</c> node.</summary>
    public static Tensor ConstantValue(NodeProto node, Device device)
    {
        foreach (var a in node.Attribute)
            switch (a.Name)
            {
                case "value": return ToTensor(a.T, device);
                case "value_float": return tensor(a.F).to(device);
                case "value_floats": return tensor(a.Floats.ToArray()).to(device);
                case "value_int": return tensor(a.I).to(device);
                case "value_ints": return tensor(a.Ints.ToArray()).to(device);
            }
        throw new OnnxRefusal($"Constant node '{node.Name}' has no value the importer reads (value, value_float(s), value_int(s))");
    }
}

/// <summary>Why an ONNX graph cannot be imported as a <see cref="GraphModel"/>; the loader then falls back to ONNX Runtime.</summary>
internal sealed class OnnxRefusal(string message) : Exception(message);

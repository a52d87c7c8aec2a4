using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using Glassbox.IO;

namespace Glassbox.Checkpoints;

/// <summary>One float32 tensor as stored in a safetensors file.</summary>
/// <param name="Shape">Dimensions.</param>
/// <param name="Data">Values in C order.</param>
public sealed record SafeTensor(long[] Shape, float[] Data);

/// <summary>
/// Reads and writes the safetensors format (8-byte little-endian header length, JSON header, raw data), for
/// float32 tensors: the format PyTorch users load with <c>safetensors.torch.load_file</c>. Written here rather than
/// taken from TorchSharp.PyBridge because that package declares no TorchSharp version and pulls in a pickle reader.
/// </summary>
public static class SafeTensors
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;

    /// <summary>Writes the tensors (sorted by key, as the reference implementation does) and optional string metadata.</summary>
    public static void Write(Stream stream, IReadOnlyDictionary<string, SafeTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new JsonObject();
        if (metadata is { Count: > 0 })
        {
            var meta = new JsonObject();
            foreach (var (k, v) in metadata) meta[k] = v;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        var ordered = tensors.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToList();
        foreach (var (key, t) in ordered)
        {
            long count = t.Shape.Aggregate(1L, (a, b) => a * b);
            if (count != t.Data.LongLength)
                throw new ArgumentException($"Tensor '{key}' has shape [{string.Join(",", t.Shape)}] but {t.Data.LongLength} values.");
            header[key] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(t.Shape.Select(s => (JsonNode)JsonValue.Create(s)).ToArray()),
                ["data_offsets"] = new JsonArray(JsonValue.Create(offset), JsonValue.Create(offset + count * 4)),
            };
            offset += count * 4;
        }
        byte[] json = System.Text.Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8;
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
        stream.Write(len);
        stream.Write(json);
        for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
        foreach (var (_, t) in ordered)
        {
            var bytes = new byte[t.Data.LongLength * 4];
            if (BitConverter.IsLittleEndian) Buffer.BlockCopy(t.Data, 0, bytes, 0, bytes.Length);
            else for (long i = 0; i < t.Data.LongLength; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan((int)(i * 4)), t.Data[i]);
            stream.Write(bytes);
        }
    }

    /// <summary>Reads every tensor of a safetensors file; F32, F64, F16, BF16 and integer tensors (I64, I32, U8, I8, e.g. BatchNorm's num_batches_tracked) are converted to float32.</summary>
    public static Dictionary<string, SafeTensor> Read(string path)
    {
        if (!File.Exists(path)) throw new GlassboxException($"Weights file '{path}' does not exist.");
        string real = ContainedPath.RealPath(Path.GetFullPath(path), $"Weights file '{path}'");
        if (!ContainedPath.IsRegularFile(real))
            throw new GlassboxException($"Weights file '{path}' is not a regular file (a device, pipe or socket). Pass a .safetensors file.");
        long length = new FileInfo(real).Length;
        if (length > Array.MaxLength)
            throw new GlassboxException($"Weights file '{path}' has {length} bytes, more than Glassbox reads into memory ({Array.MaxLength}). Use a smaller model.");
        return Read(File.ReadAllBytes(real), path);
    }

    /// <summary>Parses safetensors bytes; <paramref name="path"/> names the source in error messages.</summary>
    public static Dictionary<string, SafeTensor> Read(byte[] all, string path)
    {
        string Bad(string what) => $"'{path}' is not a valid safetensors file: {what}.";
        if (all.Length < 8) throw new GlassboxException(Bad("it is shorter than the 8-byte header length"));
        ulong headerLen = BinaryPrimitives.ReadUInt64LittleEndian(all);
        if (headerLen > (ulong)Math.Min(MaxHeaderBytes, all.Length - 8))
            throw new GlassboxException(Bad(headerLen > MaxHeaderBytes && all.Length - 8 > MaxHeaderBytes
                ? $"the header claims more than the {MaxHeaderBytes} bytes a header may have"
                : $"the header claims more bytes than the file holds; the file has {all.Length - 8} after the length (truncated file?)"));
        JsonObject header;
        try
        {
            header = JsonNode.Parse(all.AsSpan(8, (int)headerLen))?.AsObject() ?? throw new JsonException("empty header");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new GlassboxException(Bad($"the JSON header does not parse ({e.Message})"));
        }
        long dataStart = 8 + (long)headerLen;
        long dataLen = all.Length - dataStart;
        var result = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        foreach (var (key, node) in header)
        {
            if (key == "__metadata__") continue;
            try
            {
                string dtype = node!["dtype"]!.GetValue<string>();
                long[] shape = node["shape"]!.AsArray().Select(s => s!.GetValue<long>()).ToArray();
                var offs = node["data_offsets"]!.AsArray();
                long begin = offs[0]!.GetValue<long>(), end = offs[1]!.GetValue<long>();
                long count = shape.Aggregate(1L, (a, b) => a * b);
                int size = dtype switch { "F32" or "I32" => 4, "F64" or "I64" => 8, "F16" or "BF16" => 2, "U8" or "I8" => 1, _ => throw new GlassboxException(Bad($"tensor '{key}' has dtype {dtype}; supported are F32, F64, F16, BF16, I64, I32, U8 and I8")) };
                if (begin < 0 || end > dataLen || end - begin != count * size)
                    throw new GlassboxException(Bad($"tensor '{key}' has data offsets [{begin}, {end}) that do not fit its shape [{string.Join(",", shape)}] of {dtype} or the {dataLen} data bytes (truncated file?)"));
                var span = all.AsSpan((int)(dataStart + begin), (int)(end - begin));
                var data = new float[count];
                for (long i = 0; i < count; i++)
                {
                    var s = span.Slice((int)(i * size), size);
                    data[i] = dtype switch
                    {
                        "F32" => BinaryPrimitives.ReadSingleLittleEndian(s),
                        "F64" => (float)BinaryPrimitives.ReadDoubleLittleEndian(s),
                        "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(s),
                        "I64" => BinaryPrimitives.ReadInt64LittleEndian(s),
                        "I32" => BinaryPrimitives.ReadInt32LittleEndian(s),
                        "U8" => s[0],
                        "I8" => (sbyte)s[0],
                        _ => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(s) << 16),
                    };
                }
                result[key] = new SafeTensor(shape, data);
            }
            catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
            {
                throw new GlassboxException(Bad($"the header entry for '{key}' is malformed"));
            }
        }
        return result;
    }
}

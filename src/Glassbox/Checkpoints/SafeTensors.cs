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
            header = StrictJson.Parse(all.AsSpan(8, (int)headerLen), default, what => new GlassboxException(Bad($"its JSON header is refused: {what}")))
                ?.AsObject() ?? throw new JsonException("empty header");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new GlassboxException(Bad($"the JSON header does not parse ({e.Message})"));
        }
        long dataStart = 8 + (long)headerLen;
        long dataLen = all.Length - dataStart;
        var entries = new List<(string Key, string Dtype, long[] Shape, long Count, long Begin, long End, int Size)>();
        foreach (var (key, node) in header)
        {
            if (key == "__metadata__") continue;
            entries.Add(Entry(key, node, dataLen, Bad));
        }
        // Two tensors may not share bytes: the reference implementation refuses such files too.
        var byOffset = entries.Where(e => e.End > e.Begin).OrderBy(e => e.Begin).ToList();
        for (int i = 1; i < byOffset.Count; i++)
            if (byOffset[i].Begin < byOffset[i - 1].End)
                throw new GlassboxException(Bad($"tensors '{byOffset[i - 1].Key}' [{byOffset[i - 1].Begin}, {byOffset[i - 1].End}) and '{byOffset[i].Key}' [{byOffset[i].Begin}, {byOffset[i].End}) overlap in the data"));
        var result = new Dictionary<string, SafeTensor>(StringComparer.Ordinal);
        foreach (var (key, dtype, shape, count, begin, end, size) in entries)
        {
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
        return result;
    }

    private static (string Key, string Dtype, long[] Shape, long Count, long Begin, long End, int Size) Entry(
        string key, JsonNode? node, long dataLen, Func<string, string> bad)
    {
        GlassboxException Malformed(string why) => new(bad($"the header entry for '{key}' is malformed ({why})"));
        if (node is not JsonObject entry) throw Malformed("it must be an object with dtype, shape and data_offsets");
        if (entry["dtype"] is not JsonValue dv || !dv.TryGetValue(out string? dtype)) throw Malformed("\"dtype\" must be a string such as \"F32\"");
        int size = dtype switch
        {
            "F32" or "I32" => 4, "F64" or "I64" => 8, "F16" or "BF16" => 2, "U8" or "I8" => 1,
            _ => throw new GlassboxException(bad($"tensor '{key}' has dtype {dtype}; supported are F32, F64, F16, BF16, I64, I32, U8 and I8")),
        };
        if (entry["shape"] is not JsonArray shapeArray) throw Malformed("\"shape\" must be a list of sizes");
        if (entry["data_offsets"] is not JsonArray offs || offs.Count != 2
            || offs[0] is not JsonValue b || !b.TryGetValue(out long begin) || offs[1] is not JsonValue e || !e.TryGetValue(out long end))
            throw Malformed("\"data_offsets\" must be two integers [begin, end]");
        if (begin < 0 || end < begin)
            throw Malformed($"\"data_offsets\" [{begin}, {end}) must satisfy 0 <= begin <= end");
        var shape = new long[shapeArray.Count];
        for (int i = 0; i < shape.Length; i++)
        {
            if (shapeArray[i] is not JsonValue sv || !sv.TryGetValue(out long d) || d < 0)
                throw Malformed($"shape entry {i} must be a non-negative integer");
            shape[i] = d;
        }
        // The product is compared with the data bytes before it is formed, so it never overflows.
        long count = 1;
        if (shape.Contains(0)) count = 0;
        else
            foreach (long d in shape)
            {
                if (count > dataLen / size / d)
                    throw new GlassboxException(bad($"tensor '{key}' has data offsets [{begin}, {end}) that do not fit its shape [{string.Join(",", shape)}] of {dtype} or the {dataLen} data bytes (truncated file?)"));
                count *= d;
            }
        if (end > dataLen || end - begin != count * size)
            throw new GlassboxException(bad($"tensor '{key}' has data offsets [{begin}, {end}) that do not fit its shape [{string.Join(",", shape)}] of {dtype} or the {dataLen} data bytes (truncated file?)"));
        return (key, dtype, shape, count, begin, end, size);
    }
}

using System.Buffers.Binary;
using System.Text;

namespace Glassbox.IO;

/// <summary>
/// Reads and writes NumPy .npy files (format versions 1.0, 2.0 and 3.0; writes 1.0, or 2.0 for huge headers)
/// holding float32, float64, uint8, int32 or int64 arrays in C order. Written here because NuGet serves no small,
/// maintained .npy reader.
/// </summary>
public static class NpyFile
{
    internal static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];
    private const int Alignment = 64;

    /// <summary>Writes a float32 array (<c>&lt;f4</c>) of the given shape, atomically.</summary>
    public static void Write(string path, float[] data, int[] shape) => WriteArray(path, "<f4", data, shape);

    /// <summary>Writes a float64 array (<c>&lt;f8</c>) of the given shape, atomically.</summary>
    public static void Write(string path, double[] data, int[] shape) => WriteArray(path, "<f8", data, shape);

    /// <summary>Writes a uint8 array (<c>|u1</c>) of the given shape, atomically.</summary>
    public static void Write(string path, byte[] data, int[] shape) => WriteArray(path, "|u1", data, shape);

    /// <summary>Writes an int32 array (<c>&lt;i4</c>) of the given shape, atomically.</summary>
    public static void Write(string path, int[] data, int[] shape) => WriteArray(path, "<i4", data, shape);

    /// <summary>Writes an int64 array (<c>&lt;i8</c>) of the given shape, atomically.</summary>
    public static void Write(string path, long[] data, int[] shape) => WriteArray(path, "<i8", data, shape);

    /// <summary>Reads a .npy file; big-endian data is converted to the machine's order. <see cref="NpyReader"/> reads it in rows.</summary>
    public static NpyArray Read(string path)
    {
        using var reader = NpyReader.Open(path);
        if (reader.Rows * reader.RowLength > Array.MaxLength)
            throw new GlassboxException($".npy file '{path}' has shape {NpyHeader.FormatShape(reader.Shape)}, more values than fit in one array.");
        return reader.ReadRows(0, reader.Rows);
    }

    /// <summary>Reads a .npy file of any supported dtype and converts its values to float32.</summary>
    public static float[] ReadFloat32(string path, out int[] shape)
    {
        NpyArray a = Read(path);
        shape = a.Shape;
        return a.ToFloat32();
    }

    private static void WriteArray(string path, string descr, Array data, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Any(d => d < 0))
            throw new GlassboxException($"Cannot write .npy file '{path}': shape {NpyHeader.FormatShape(shape)} has a negative dimension.");
        long count = shape.Aggregate(1L, (a, d) => a * d);
        if (count != data.LongLength)
            throw new GlassboxException($"Cannot write .npy file '{path}': shape {NpyHeader.FormatShape(shape)} needs {count} values but {data.LongLength} were given.");

        byte[] prefix = BuildPrefix(new NpyHeader(descr, false, shape));
        int itemSize = Buffer.ByteLength(data) / Math.Max(1, data.Length);
        AtomicFile.Write(path, stream =>
        {
            stream.Write(prefix);
            var buffer = new byte[1 << 16];
            int total = Buffer.ByteLength(data);
            for (int offset = 0; offset < total; offset += buffer.Length)
            {
                int n = Math.Min(buffer.Length, total - offset);
                Buffer.BlockCopy(data, offset, buffer, 0, n);
                if (itemSize > 1 && !BitConverter.IsLittleEndian)
                    ReverseChunk(buffer.AsSpan(0, n), itemSize);
                stream.Write(buffer, 0, n);
            }
        });
    }

    /// <summary>
    /// Magic, version, header length, then the header text padded with spaces and ended by '\n' so the data starts
    /// at a multiple of 64 bytes; like NumPy, an already aligned header still gets a full 64 bytes of padding.
    /// </summary>
    private static byte[] BuildPrefix(NpyHeader header)
    {
        string text = header.Format();
        int textLength = Encoding.ASCII.GetByteCount(text) + 1;
        bool v1 = true;
        int lengthField = 2;
        int pad = Alignment - (Magic.Length + 2 + lengthField + textLength) % Alignment;
        if (textLength + pad > ushort.MaxValue)
        {
            v1 = false;
            lengthField = 4;
            pad = Alignment - (Magic.Length + 2 + lengthField + textLength) % Alignment;
        }
        int headerLength = textLength + pad;
        var prefix = new byte[Magic.Length + 2 + lengthField + headerLength];
        Magic.CopyTo(prefix);
        prefix[6] = v1 ? (byte)1 : (byte)2;
        prefix[7] = 0;
        if (v1) BinaryPrimitives.WriteUInt16LittleEndian(prefix.AsSpan(8), (ushort)headerLength);
        else BinaryPrimitives.WriteUInt32LittleEndian(prefix.AsSpan(8), (uint)headerLength);
        int start = Magic.Length + 2 + lengthField;
        Encoding.ASCII.GetBytes(text, prefix.AsSpan(start));
        prefix.AsSpan(start + text.Length, pad).Fill((byte)' ');
        prefix[^1] = (byte)'\n';
        return prefix;
    }

    internal static void ReverseChunk(Span<byte> bytes, int itemSize)
    {
        for (int i = 0; i + itemSize <= bytes.Length; i += itemSize)
            bytes.Slice(i, itemSize).Reverse();
    }

    internal sealed record DType(string Name, char Kind, int Size, bool LittleEndian)
    {
        public string LittleEndianName => Size == 1 ? $"|{Kind}1" : $"<{Kind}{Size}";

        public Array CreateArray(int count) => (Kind, Size) switch
        {
            ('f', 4) => new float[count],
            ('f', 8) => new double[count],
            ('u', 1) => new byte[count],
            ('i', 4) => new int[count],
            ('i', 8) => new long[count],
            _ => throw new InvalidOperationException($"Unsupported dtype {Name}."),
        };

        public static DType? Parse(string descr)
        {
            if (descr.Length != 3) return null;
            char order = descr[0];
            if (order is not ('<' or '>' or '=' or '|')) return null;
            bool little = order switch { '>' => false, '=' => BitConverter.IsLittleEndian, _ => true };
            char kind = descr[1];
            if (!char.IsAsciiDigit(descr[2])) return null;
            int size = descr[2] - '0';
            string? name = (kind, size) switch
            {
                ('f', 4) => "float32",
                ('f', 8) => "float64",
                ('u', 1) => "uint8",
                ('i', 4) => "int32",
                ('i', 8) => "int64",
                _ => null,
            };
            if (name is null) return null;
            if (order == '|' && size != 1) return null;
            return new DType(name, kind, size, little);
        }
    }
}

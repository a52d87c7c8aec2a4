using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Glassbox.App;

/// <summary>
/// Writes a float32 (<c>&lt;f4</c>), float64 (<c>&lt;f8</c>) or int64 (<c>&lt;i8</c>) .npy file piece by piece: the header for the final shape first, then the values as
/// they are made, so an array larger than memory can be written. The file appears under its name only when every value
/// has been written (<see cref="Complete"/>); until then it is a temporary file beside it, deleted on dispose.
/// </summary>
public sealed class NpyStreamWriter : IDisposable
{
    private readonly string _path, _temp;
    private readonly FileStream _stream;
    private readonly byte[] _buffer = new byte[1 << 16];
    private long _written;
    private bool _completed;

    /// <summary>Starts <paramref name="path"/> for an array of <paramref name="shape"/> of <paramref name="dtype"/> (<c>&lt;f4</c>, <c>&lt;f8</c> or <c>&lt;i8</c>).</summary>
    public NpyStreamWriter(string path, int[] shape, string dtype = "<f4")
    {
        if (dtype is not ("<f4" or "<f8" or "<i8")) throw new ArgumentException($"NpyStreamWriter writes <f4, <f8 or <i8, not {dtype}.", nameof(dtype));
        DType = dtype;
        if (shape.Any(d => d < 0)) throw new GlassboxException($"Cannot write .npy file '{path}': shape ({string.Join(", ", shape)}) has a negative dimension.");
        Shape = (int[])shape.Clone();
        Count = shape.Aggregate(1L, (a, d) => a * d);
        _path = Path.GetFullPath(path);
        _temp = Path.Combine(Path.GetDirectoryName(_path)!, $".{Path.GetFileName(_path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        _stream = new FileStream(_temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        _stream.Write(Header(shape, dtype));
    }

    /// <summary>The array's shape.</summary>
    public int[] Shape { get; }

    /// <summary>The dtype: <c>&lt;f4</c>, <c>&lt;f8</c> or <c>&lt;i8</c>.</summary>
    public string DType { get; }

    /// <summary>Values the array holds.</summary>
    public long Count { get; }

    /// <summary>Values written so far.</summary>
    public long Written => _written;

    /// <summary>Appends float32 values in C order.</summary>
    public void Append(ReadOnlySpan<float> values) => Append(values, "<f4", 4, BinaryPrimitives.WriteSingleLittleEndian);

    /// <summary>Appends float64 values in C order.</summary>
    public void Append(ReadOnlySpan<double> values) => Append(values, "<f8", 8, BinaryPrimitives.WriteDoubleLittleEndian);

    /// <summary>Appends int64 values in C order.</summary>
    public void Append(ReadOnlySpan<long> values) => Append(values, "<i8", 8, BinaryPrimitives.WriteInt64LittleEndian);

    private delegate void Encode<T>(Span<byte> destination, T value);

    /// <summary>Appends <paramref name="values"/> of the file's <paramref name="dtype"/> (<paramref name="size"/> bytes each), a buffer at a time.</summary>
    private void Append<T>(ReadOnlySpan<T> values, string dtype, int size, Encode<T> encode)
    {
        Reserve(values.Length, dtype);
        int perBuffer = _buffer.Length / size;
        for (int offset = 0; offset < values.Length; offset += perBuffer)
        {
            var part = values.Slice(offset, Math.Min(perBuffer, values.Length - offset));
            for (int i = 0; i < part.Length; i++)
                encode(_buffer.AsSpan(i * size), part[i]);
            _stream.Write(_buffer, 0, part.Length * size);
        }
        _written += values.Length;
    }

    private void Reserve(int values, string dtype)
    {
        if (_completed) throw new InvalidOperationException("The .npy file is complete.");
        if (dtype != DType) throw new InvalidOperationException($"The .npy file holds {DType}, not {dtype}.");
        if (_written + values > Count)
            throw new InvalidOperationException($"{_written + values} values exceed the {Count} of shape ({string.Join(", ", Shape)}).");
    }

    /// <summary>Checks every value was written, flushes to disk and renames the file into place.</summary>
    public void Complete()
    {
        if (_completed) return;
        if (_written != Count)
            throw new InvalidOperationException($"Only {_written} of the {Count} values of '{_path}' were written.");
        _stream.Flush(flushToDisk: true);
        _stream.Dispose();
        File.Move(_temp, _path, overwrite: true);
        _completed = true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _stream.Dispose();
        if (!_completed)
        {
            try { File.Delete(_temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>NumPy's format 1.0 (2.0 for huge headers): magic, version, length, then the dict padded to 64 bytes and ended by '\n'.</summary>
    internal static byte[] Header(int[] shape, string dtype = "<f4")
    {
        string tuple = shape.Length == 1 ? $"({shape[0].ToString(CultureInfo.InvariantCulture)},)"
            : "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";
        string dict = "{'descr': '" + dtype + "', 'fortran_order': False, 'shape': " + tuple + ", }";
        int lengthField = 2;
        int total = 6 + 2 + lengthField + dict.Length + 1;
        int pad = (64 - total % 64) % 64;
        if (dict.Length + pad + 1 > ushort.MaxValue)
        {
            lengthField = 4;
            total = 6 + 2 + lengthField + dict.Length + 1;
            pad = (64 - total % 64) % 64;
        }
        int headerLength = dict.Length + pad + 1;
        var bytes = new byte[6 + 2 + lengthField + headerLength];
        new byte[] { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y' }.CopyTo(bytes, 0);
        bytes[6] = lengthField == 2 ? (byte)1 : (byte)2;
        if (lengthField == 2) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)headerLength);
        else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(8), (uint)headerLength);
        int at = 8 + lengthField;
        Encoding.ASCII.GetBytes(dict).CopyTo(bytes, at);
        for (int i = 0; i < pad; i++) bytes[at + dict.Length + i] = (byte)' ';
        bytes[^1] = (byte)'\n';
        return bytes;
    }
}

using System.Buffers.Binary;
using System.Text;

namespace Glassbox.IO;

/// <summary>
/// Reads a NumPy .npy file row by row: the header is parsed and the file's size checked against it when opened, then
/// <see cref="ReadRows"/> seeks to rows [start, start+count) of the first axis, so an array larger than memory can be
/// read in chunks. Same dtypes, versions and error messages as <see cref="NpyFile.Read"/>.
/// </summary>
public sealed class NpyReader : IDisposable
{
    private readonly FileStream _stream;
    private readonly NpyFile.DType _type;
    private readonly long _dataOffset;

    private NpyReader(string path, FileStream stream, NpyFile.DType type, int[] shape, long dataOffset)
    {
        Path = path;
        _stream = stream;
        _type = type;
        Shape = shape;
        _dataOffset = dataOffset;
        Rows = shape.Length == 0 ? 1 : shape[0];
        RowLength = shape.Skip(1).Aggregate(1L, (a, d) => a * d);
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The array's shape as the header states it.</summary>
    public int[] Shape { get; }

    /// <summary>The dtype in little-endian form (<c>&lt;f4</c>, <c>&lt;f8</c>, <c>|u1</c>, <c>&lt;i4</c>, <c>&lt;i8</c>).</summary>
    public string DType => _type.LittleEndianName;

    /// <summary>True when the values are uint8.</summary>
    public bool IsUInt8 => _type is { Kind: 'u', Size: 1 };

    /// <summary>Rows along the first axis (1 for a 0-d array).</summary>
    public int Rows { get; }

    /// <summary>Values per row: the product of the shape after the first axis.</summary>
    public long RowLength { get; }

    /// <summary>
    /// Opens <paramref name="path"/>, parses its header and checks that the file holds exactly the bytes the header
    /// describes (a truncated or padded file is an error here, before any row is read).
    /// </summary>
    public static NpyReader Open(string path)
    {
        if (File.Exists(path) && !ContainedPath.IsRegularFile(ContainedPath.RealPath(System.IO.Path.GetFullPath(path), $".npy file '{path}'")))
            throw new GlassboxException($".npy file '{path}' is not a regular file (a device, pipe or socket). Save the array with np.save and pass that file.");
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new GlassboxException($".npy file '{path}' does not exist. Check the path.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GlassboxException($"Cannot read .npy file '{path}': {e.Message}", e);
        }
        try
        {
            return Open(path, stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static NpyReader Open(string path, FileStream stream)
    {
        long length = stream.Length;
        var prefix = new byte[(int)Math.Min(length, 12)];
        ReadExactly(stream, 0, prefix, path);
        if (length < 10 || !prefix.AsSpan(0, 6).SequenceEqual(NpyFile.Magic))
            throw new GlassboxException($"'{path}' is not a .npy file: it should start with \\x93NUMPY but starts with {string.Join(' ', prefix.Take(6).Select(b => b.ToString("x2")))}.");
        byte major = prefix[6];
        int lengthField = major switch
        {
            1 => 2,
            2 or 3 => 4,
            _ => throw new GlassboxException($".npy file '{path}' uses format version {major}.{prefix[7]}; versions 1.0, 2.0 and 3.0 are supported."),
        };
        if (length < 8 + lengthField)
            throw new GlassboxException($".npy file '{path}' is truncated inside its header ({length} bytes).");
        long headerLength = lengthField == 2
            ? BinaryPrimitives.ReadUInt16LittleEndian(prefix.AsSpan(8))
            : BinaryPrimitives.ReadUInt32LittleEndian(prefix.AsSpan(8));
        long dataOffset = 8 + lengthField + headerLength;
        if (dataOffset > length)
            throw new GlassboxException($".npy file '{path}' is truncated: its header should be {headerLength} bytes long but the file ends after {length - 8 - lengthField}.");
        var headerBytes = new byte[headerLength];
        ReadExactly(stream, 8 + lengthField, headerBytes, path);
        Encoding encoding = major == 3 ? Encoding.UTF8 : Encoding.Latin1;
        string text = encoding.GetString(headerBytes);
        NpyHeader header = NpyHeader.Parse(text, out string error)
            ?? throw new GlassboxException($".npy file '{path}' has a header that cannot be parsed ({error}): {text.Trim()}");

        if (header.FortranOrder)
            throw new GlassboxException($".npy file '{path}' is stored in Fortran (column-major) order; only C order is supported. Save it with np.save(path, np.ascontiguousarray(a)).");
        var type = NpyFile.DType.Parse(header.Descr)
            ?? throw new GlassboxException($".npy file '{path}' has dtype '{header.Descr}'; supported dtypes are float32, float64, uint8, int32 and int64.");
        long count = header.Shape.Contains(0) ? 0 : 1;
        foreach (int d in header.Shape)
        {
            if (d > 0 && count > long.MaxValue / 8 / d)
                throw new GlassboxException($".npy file '{path}' has shape {NpyHeader.FormatShape(header.Shape)}, more values than any file can hold.");
            count *= d;
        }
        long expected = count * type.Size;
        long present = length - dataOffset;
        if (present < expected)
            throw new GlassboxException($".npy file '{path}' is truncated: its header says shape {NpyHeader.FormatShape(header.Shape)} of {type.Name} = {expected} bytes of data but only {present} are present.");
        if (present > expected)
            throw new GlassboxException($".npy file '{path}' has {present - expected} bytes after the {expected} bytes its header (shape {NpyHeader.FormatShape(header.Shape)} of {type.Name}) describes; the file is corrupt.");
        return new NpyReader(path, stream, type, header.Shape, dataOffset);
    }

    /// <summary>
    /// Rows [<paramref name="start"/>, <paramref name="start"/>+<paramref name="count"/>) of the first axis, shaped
    /// count × (the rest of the shape); for a 0-d array the one value. Big-endian data is converted to the machine's order.
    /// </summary>
    public NpyArray ReadRows(int start, int count)
    {
        if (start < 0 || count < 0 || (long)start + count > Rows)
            throw new ArgumentOutOfRangeException(nameof(start), $"Rows {start}..{(long)start + count - 1} are outside the {Rows} rows of '{Path}'.");
        long values = count * RowLength;
        if (values > Array.MaxLength || values * _type.Size > int.MaxValue)
            throw new GlassboxException($".npy file '{Path}': {count} rows of {RowLength} values are more values than fit in one array; read fewer rows at a time.");
        Array data = _type.CreateArray((int)values);
        long bytes = values * _type.Size, at = _dataOffset + start * RowLength * _type.Size;
        var buffer = new byte[(int)Math.Min(bytes, 1 << 16)];
        for (long done = 0; done < bytes;)
        {
            int n = (int)Math.Min(buffer.Length, bytes - done);
            ReadExactly(_stream, at + done, buffer.AsSpan(0, n), Path);
            if (_type.Size > 1 && _type.LittleEndian != BitConverter.IsLittleEndian)
                NpyFile.ReverseChunk(buffer.AsSpan(0, n), _type.Size);
            Buffer.BlockCopy(buffer, 0, data, (int)done, n);
            done += n;
        }
        int[] shape = Shape.Length == 0 ? [] : [count, .. Shape[1..]];
        return new NpyArray(_type.LittleEndianName, shape, data);
    }

    /// <inheritdoc />
    public void Dispose() => _stream.Dispose();

    private static void ReadExactly(FileStream stream, long position, Span<byte> into, string path)
    {
        try
        {
            stream.Position = position;
            stream.ReadExactly(into);
        }
        catch (EndOfStreamException e)
        {
            throw new GlassboxException($".npy file '{path}' ended while it was being read; was it changed meanwhile?", e);
        }
        catch (IOException e)
        {
            throw new GlassboxException($"Cannot read .npy file '{path}': {e.Message}", e);
        }
    }
}

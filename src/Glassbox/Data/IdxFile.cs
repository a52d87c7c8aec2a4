using System.Buffers.Binary;
using System.IO.Compression;
using Glassbox.IO;

namespace Glassbox.Data;

/// <summary>
/// Reads and writes IDX files, the format of MNIST and Fashion-MNIST (LeCun et al., "The MNIST database"):
/// magic 0x00 0x00 type ndims, then ndims big-endian int32 sizes, then the data. Only the unsigned byte type
/// (0x08) is supported. Gzip-compressed files are recognised by their magic bytes, not by their extension.
/// </summary>
internal static class IdxFile
{
    /// <summary>IDX type code for unsigned bytes.</summary>
    public const byte UnsignedByteType = 0x08;

    /// <summary>Reads an IDX file, raw or gzip-compressed, and checks that its header matches its length.</summary>
    public static IdxArray Read(string path)
    {
        byte[] bytes = ReadContent(path);
        return Parse(bytes, path);
    }

    /// <summary>Writes <paramref name="data"/> with dimensions <paramref name="dims"/> as an IDX file, atomically.</summary>
    public static void Write(string path, int[] dims, byte[] data, bool gzip)
    {
        ArgumentNullException.ThrowIfNull(dims);
        ArgumentNullException.ThrowIfNull(data);
        if (dims.Length is 0 or > 255)
            throw new GlassboxException($"Cannot write IDX file '{path}': it needs 1 to 255 dimensions, got {dims.Length}.");
        foreach (int d in dims)
            if (d <= 0)
                throw new GlassboxException($"Cannot write IDX file '{path}': every dimension must be positive, got {FormatDims(dims)}.");
        long expected = dims.Aggregate(1L, (a, d) => a * d);
        if (expected != data.LongLength)
            throw new GlassboxException($"Cannot write IDX file '{path}': dimensions {FormatDims(dims)} need {expected} bytes but {data.LongLength} were given.");

        var header = new byte[4 + 4 * dims.Length];
        header[2] = UnsignedByteType;
        header[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dims[i]);

        AtomicFile.Write(path, stream =>
        {
            if (gzip)
            {
                using var gz = new GZipStream(stream, CompressionLevel.SmallestSize, leaveOpen: true);
                gz.Write(header);
                gz.Write(data);
            }
            else
            {
                stream.Write(header);
                stream.Write(data);
            }
        });
    }

    /// <summary>Largest data size (product of the dimensions) read, in bytes; MNIST's training images take 47 MB.</summary>
    public const long MaxDataBytes = 1L << 30;

    private const int MaxHeaderBytes = 4 + 4 * 255;

    private static byte[] ReadContent(string path)
    {
        try
        {
            if (Directory.Exists(path) || (File.Exists(path) && !ContainedPath.IsRegularFile(ContainedPath.RealPath(Path.GetFullPath(path), $"IDX file '{path}'"))))
                throw new GlassboxException($"IDX file '{path}' is not a regular file (a folder, device or pipe). Pass an IDX file.");
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            long length = fs.Length;
            var head = new byte[Math.Min(length, MaxHeaderBytes)];
            fs.ReadExactly(head);
            if (head.Length >= 2 && head[0] == 0x1f && head[1] == 0x8b)
            {
                if (length > MaxDataBytes)
                    throw new GlassboxException($"IDX file '{path}' is a {length}-byte gzip file, larger than the {MaxDataBytes} bytes Glassbox reads. Use a smaller file.");
                fs.Position = 0;
                var raw = new byte[length];
                fs.ReadExactly(raw);
                return Decompress(raw, path);
            }
            // Raw file: the header alone says how long the file must be; check before reading the data.
            if (Header(head, path) is { } h)
            {
                long present = length - h.Length;
                if (present < h.Expected)
                    throw new GlassboxException($"IDX file '{path}' is truncated: header says {FormatDims(h.Dims)} = {h.Expected} bytes of data but only {present} are present. Download or copy the file again.");
                if (present > h.Expected)
                    throw new GlassboxException($"IDX file '{path}' has {present - h.Expected} bytes of trailing garbage: header says {FormatDims(h.Dims)} = {h.Expected} bytes of data but {present} are present.");
            }
            var all = new byte[length];
            fs.Position = 0;
            fs.ReadExactly(all);
            return all;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new GlassboxException($"IDX file '{path}' does not exist. Check the path.", e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GlassboxException($"Cannot read IDX file '{path}': {e.Message}", e);
        }
    }

    private static byte[] Decompress(byte[] raw, string path)
    {
        byte[] content;
        try
        {
            using var gz = new GZipStream(new MemoryStream(raw), CompressionMode.Decompress);
            // The header first: a small file claiming gigabytes is refused before anything else is decompressed.
            var head = new byte[MaxHeaderBytes];
            int headLength = gz.ReadAtLeast(head, MaxHeaderBytes, throwOnEndOfStream: false);
            var h = Header(head.AsSpan(0, headLength), path);
            long limit = h is { } x ? x.Length + x.Expected : headLength;
            using var output = new MemoryStream((int)Math.Min(limit, 1 << 24));
            output.Write(head, 0, headLength);
            var buffer = new byte[1 << 16];
            int n;
            while ((n = gz.Read(buffer)) > 0)
            {
                output.Write(buffer, 0, n);
                if (output.Length > limit + (1 << 20))
                    throw new GlassboxException($"IDX file '{path}' decompresses to more than its header declares ({limit} bytes); it is corrupt or not an IDX file. Download or copy the file again.");
            }
            content = output.ToArray();
        }
        catch (InvalidDataException e)
        {
            throw new GlassboxException($"IDX file '{path}' starts like a gzip file but its compressed data is corrupt (a format or checksum error). Download or copy the file again.", e);
        }
        // The decompressor accepts a stream cut inside its 8-byte trailer, so check the trailer's size field
        // (uncompressed length mod 2^32) here.
        uint trailerSize = raw.Length >= 18 ? BinaryPrimitives.ReadUInt32LittleEndian(raw.AsSpan(raw.Length - 4)) : uint.MaxValue;
        if (trailerSize != (uint)content.LongLength)
            throw new GlassboxException($"IDX file '{path}' is a truncated or corrupt gzip file: it decompresses to {content.LongLength} bytes but its gzip trailer does not match. Download or copy the file again.");
        return content;
    }

    /// <summary>
    /// The dimensions, data size and header length that <paramref name="head"/> declares, checked against
    /// <see cref="MaxDataBytes"/> and the memory available; null when the bytes are too short (Parse reports it).
    /// </summary>
    private static (int[] Dims, long Expected, int Length)? Header(ReadOnlySpan<byte> head, string path)
    {
        if (head.Length < 4 || head[0] != 0 || head[1] != 0 || head[2] != UnsignedByteType || head[3] == 0) return null;
        int ndims = head[3];
        int headerLength = 4 + 4 * ndims;
        if (head.Length < headerLength) return null;
        var dims = new int[ndims];
        long expected = 1;
        for (int i = 0; i < ndims; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(head[(4 + 4 * i)..]);
            if (dims[i] <= 0) return null;
            expected *= dims[i];
            if (expected > MaxDataBytes)
                throw new GlassboxException($"IDX file '{path}' declares {FormatDims(dims[..(i + 1)])}{(i + 1 < ndims ? "×..." : "")} bytes of data, more than the {MaxDataBytes} bytes Glassbox reads. Use a smaller file or split it.");
        }
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (available > 0 && expected * 5 > available)
            throw new GlassboxException($"IDX file '{path}' declares {FormatDims(dims)} = {expected} bytes of data; loading it as floats needs about {expected * 5 / (1 << 20)} MB but only {available / (1 << 20)} MB are available. Use a smaller file.");
        return (dims, expected, headerLength);
    }

    private static IdxArray Parse(byte[] bytes, string path)
    {
        if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0)
            throw new GlassboxException($"'{path}' is not an IDX file: it should start with bytes 00 00 <type> <ndims> but starts with {Hex(bytes, 4)}.");
        byte type = bytes[2];
        int ndims = bytes[3];
        if (type != UnsignedByteType)
            throw new GlassboxException($"IDX file '{path}' has data type 0x{type:X2} ({TypeName(type)}); only 0x08 (unsigned byte) is supported.");
        if (ndims == 0)
            throw new GlassboxException($"IDX file '{path}' declares 0 dimensions; it needs at least one.");
        int headerLength = 4 + 4 * ndims;
        if (bytes.Length < headerLength)
            throw new GlassboxException($"IDX file '{path}' is truncated: its header declares {ndims} dimensions ({headerLength} header bytes) but the file has only {bytes.Length} bytes.");

        var dims = new int[ndims];
        long expected = 1;
        for (int i = 0; i < ndims; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (dims[i] <= 0)
                throw new GlassboxException($"IDX file '{path}' has dimension {i} of size {dims[i]}; every dimension must be positive.");
            expected *= dims[i];
            if (expected > Array.MaxLength)
                throw new GlassboxException($"IDX file '{path}' declares {FormatDims(dims[..(i + 1)])} values, more than fit in memory as one array.");
        }

        long present = bytes.LongLength - headerLength;
        if (present < expected)
            throw new GlassboxException($"IDX file '{path}' is truncated: header says {FormatDims(dims)} = {expected} bytes of data but only {present} are present. Download or copy the file again.");
        if (present > expected)
            throw new GlassboxException($"IDX file '{path}' has {present - expected} bytes of trailing garbage: header says {FormatDims(dims)} = {expected} bytes of data but {present} are present.");

        return new IdxArray(dims, bytes.AsSpan(headerLength).ToArray());
    }

    private static string FormatDims(int[] dims) => string.Join("×", dims);

    private static string Hex(byte[] bytes, int max) =>
        bytes.Length == 0 ? "(empty file)" : string.Join(' ', bytes.Take(max).Select(b => b.ToString("x2")));

    private static string TypeName(byte type) => type switch
    {
        0x09 => "signed byte",
        0x0B => "int16",
        0x0C => "int32",
        0x0D => "float32",
        0x0E => "float64",
        _ => "unknown type",
    };
}

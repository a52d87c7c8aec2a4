using System.Buffers.Binary;
using System.IO.Compression;
using Glassbox.Data;
using Glassbox.Tests.IO;

namespace Glassbox.Tests.Data;

public class IdxFileTests
{
    private static byte[] Sample(int n) => Enumerable.Range(0, n).Select(i => (byte)(i * 7)).ToArray();

    [Fact]
    public void Idx_RoundTrips_Raw()
    {
        using var dir = new TempDirectory();
        byte[] data = Sample(3 * 4 * 5);
        IdxFile.Write(dir.File("a-idx3-ubyte"), [3, 4, 5], data, gzip: false);
        byte[] onDisk = File.ReadAllBytes(dir.File("a-idx3-ubyte"));
        Assert.Equal(new byte[] { 0, 0, 8, 3, 0, 0, 0, 3 }, onDisk[..8]);
        Assert.Equal(16 + data.Length, onDisk.Length);
        IdxArray a = IdxFile.Read(dir.File("a-idx3-ubyte"));
        Assert.Equal([3, 4, 5], a.Dims);
        Assert.Equal(data, a.Data);
        Assert.Equal(60, a.ElementCount);
    }

    [Fact]
    public void Idx_RoundTrips_Gzip()
    {
        using var dir = new TempDirectory();
        byte[] data = Sample(100);
        IdxFile.Write(dir.File("l-idx1-ubyte.gz"), [100], data, gzip: true);
        byte[] onDisk = File.ReadAllBytes(dir.File("l-idx1-ubyte.gz"));
        Assert.Equal(new byte[] { 0x1f, 0x8b }, onDisk[..2]);
        IdxArray a = IdxFile.Read(dir.File("l-idx1-ubyte.gz"));
        Assert.Equal([100], a.Dims);
        Assert.Equal(data, a.Data);
    }

    [Fact]
    public void Idx_DetectsGzip_ByMagicBytesNotExtension()
    {
        using var dir = new TempDirectory();
        byte[] data = Sample(12);
        IdxFile.Write(dir.File("compressed.bin"), [3, 4], data, gzip: true);
        IdxFile.Write(dir.File("plain.gz"), [3, 4], data, gzip: false);
        Assert.Equal(data, IdxFile.Read(dir.File("compressed.bin")).Data);
        Assert.Equal(data, IdxFile.Read(dir.File("plain.gz")).Data);
    }

    [Fact]
    public void Idx_Rejects_TruncatedFile_WithSizes()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t10k-images-idx3-ubyte");
        var bytes = new byte[16 + 1234];
        bytes[2] = 8;
        bytes[3] = 3;
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4), 10000);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(8), 28);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(12), 28);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<GlassboxException>(() => IdxFile.Read(path));
        Assert.Contains($"'{path}' is truncated: header says 10000×28×28 = 7840000 bytes of data but only 1234 are present", e.Message);
    }

    [Fact]
    public void Idx_Rejects_TruncatedGzipFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("x.gz");
        IdxFile.Write(path, [50, 28, 28], Sample(50 * 28 * 28), gzip: true);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        var e = Assert.Throws<GlassboxException>(() => IdxFile.Read(path));
        Assert.Contains(path, e.Message);
        Assert.True(e.Message.Contains("truncated") || e.Message.Contains("corrupt"), e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(8)]
    public void Idx_Rejects_GzipFileCutInsideItsTrailer(int cut)
    {
        using var dir = new TempDirectory();
        string path = dir.File("x.gz");
        IdxFile.Write(path, [10, 28, 28], Sample(10 * 28 * 28), gzip: true);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^cut]);
        var e = Assert.Throws<GlassboxException>(() => IdxFile.Read(path));
        Assert.Contains($"'{path}' is a truncated or corrupt gzip file", e.Message);
    }

    [Fact]
    public void Idx_Rejects_GzipWithWrongCrc()
    {
        using var dir = new TempDirectory();
        string path = dir.File("x.gz");
        IdxFile.Write(path, [10, 28, 28], Sample(10 * 28 * 28), gzip: true);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[^6] ^= 1;
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<GlassboxException>(() => IdxFile.Read(path));
        Assert.Contains("compressed data is corrupt", e.Message);
    }

    [Fact]
    public void Idx_Rejects_TrailingGarbage()
    {
        using var dir = new TempDirectory();
        string path = dir.File("g");
        IdxFile.Write(path, [2, 2], Sample(4), gzip: false);
        File.AppendAllText(path, "junk");
        var e = Assert.Throws<GlassboxException>(() => IdxFile.Read(path));
        Assert.Contains("4 bytes of trailing garbage", e.Message);
    }

    [Fact]
    public void Idx_Rejects_CorruptGzip()
    {
        using var dir = new TempDirectory();
        string path = dir.File("c.gz");
        byte[] bytes = [0x1f, 0x8b, 0x08, 0, 0, 0, 0, 0, 0, 0x03, 0xff, 0xfe, 0xfd, 0xfc, 0x00, 0x11, 0x22];
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<GlassboxException>(() => IdxFile.Read(path));
        Assert.Contains("gzip", e.Message);
        Assert.Contains("corrupt", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Idx_Rejects_BadMagic()
    {
        using var dir = new TempDirectory();
        string path = dir.File("image.png");
        File.WriteAllBytes(path, [0x89, (byte)'P', (byte)'N', (byte)'G', 0, 0, 0, 0]);
        var e = Assert.Throws<GlassboxException>(() => IdxFile.Read(path));
        Assert.Contains("is not an IDX file", e.Message);
        Assert.Contains("89 50 4e 47", e.Message);
    }

    [Fact]
    public void Idx_Rejects_UnsupportedType()
    {
        using var dir = new TempDirectory();
        string path = dir.File("f");
        File.WriteAllBytes(path, [0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0]);
        var e = Assert.Throws<GlassboxException>(() => IdxFile.Read(path));
        Assert.Contains("0x0D (float32)", e.Message);
    }

    [Fact]
    public void Idx_Rejects_ZeroDimension()
    {
        using var dir = new TempDirectory();
        string path = dir.File("z");
        File.WriteAllBytes(path, [0, 0, 8, 2, 0, 0, 0, 0, 0, 0, 0, 5]);
        var e = Assert.Throws<GlassboxException>(() => IdxFile.Read(path));
        Assert.Contains("dimension 0 of size 0", e.Message);
    }

    [Fact]
    public void Idx_Rejects_MissingFile()
    {
        var e = Assert.Throws<GlassboxException>(() => IdxFile.Read("/nonexistent/glassbox/x-idx1-ubyte"));
        Assert.Contains("does not exist", e.Message);
    }

    [Fact]
    public void Idx_Write_RejectsDimsThatDoNotMatchData()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<GlassboxException>(() => IdxFile.Write(dir.File("w"), [2, 3], new byte[5], gzip: false));
        Assert.Contains("need 6 bytes but 5 were given", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void Idx_ReadsGzipWrittenByOtherTools()
    {
        using var dir = new TempDirectory();
        string path = dir.File("other.gz");
        byte[] raw = [0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3];
        using (var fs = File.Create(path))
        using (var gz = new GZipStream(fs, CompressionLevel.Fastest))
            gz.Write(raw);
        Assert.Equal(new byte[] { 1, 2, 3 }, IdxFile.Read(path).Data);
    }
}

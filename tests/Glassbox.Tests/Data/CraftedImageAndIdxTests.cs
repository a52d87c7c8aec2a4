using System.Buffers.Binary;
using System.IO.Compression;
using Glassbox.Data;
using Glassbox.Tests.IO;
using SkiaSharp;

namespace Glassbox.Tests.Data;

/// <summary>Headers that claim huge images or arrays are refused by the header, before decoding (GitHub issue 8).</summary>
public class CraftedImageAndIdxTests
{
    private static byte[] Encode(SKEncodedImageFormat format)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(8, 8, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(SKColors.Gray);
        using var data = bitmap.Encode(format, 90);
        return data.ToArray();
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>A valid 8×8 PNG whose IHDR (with a correct CRC) claims <paramref name="width"/>×<paramref name="height"/>.</summary>
    private static byte[] PngClaiming(int width, int height)
    {
        byte[] png = Encode(SKEncodedImageFormat.Png);
        // Signature (8), IHDR length (4), "IHDR" (4), width, height, ... CRC over type and data (4 + 13 bytes).
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), height);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), Crc32(png.AsSpan(12, 17)));
        return png;
    }

    private static byte[] JpegClaiming(ushort width, ushort height)
    {
        byte[] jpg = Encode(SKEncodedImageFormat.Jpeg);
        for (int i = 2; i + 9 < jpg.Length; i++)
        {
            if (jpg[i] == 0xFF && jpg[i + 1] is 0xC0 or 0xC1 or 0xC2)
            {
                BinaryPrimitives.WriteUInt16BigEndian(jpg.AsSpan(i + 5), height);
                BinaryPrimitives.WriteUInt16BigEndian(jpg.AsSpan(i + 7), width);
                return jpg;
            }
        }
        throw new InvalidOperationException("no SOF marker in the encoded JPEG");
    }

    [Theory]
    [InlineData(30000, 30000)]
    [InlineData(100000, 100000)]
    [InlineData(16384, 16385)]
    [InlineData(16000, 16800)] // each side allowed, but more than 2^28 pixels
    public void Png_ClaimingHugeSize_IsRefusedByItsHeader(int width, int height)
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("big.png"), PngClaiming(width, height));
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<GlassboxException>(() => ImageFile.Load(dir.File("big.png"), 3, 8, 8));
        Assert.Contains($"is {width}×{height} pixels by its header, larger than Glassbox decodes (16384 per side, 268435456 pixels in all)", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20, "refused only after allocating");
    }

    [Fact]
    public void Png_WithPatchedButSmallHeader_StillDecodes()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("ok.png"), PngClaiming(8, 8)); // the CRC helper reproduces a valid file
        Assert.All(ImageFile.Load(dir.File("ok.png"), 1, 8, 8), v => Assert.Equal(128 / 255f, v, 2));
    }

    [Fact]
    public void Jpeg_ClaimingHugeSize_IsRefusedByItsHeader_InAFolderToo()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("cats"));
        File.WriteAllBytes(dir.File("cats/big.jpg"), JpegClaiming(30000, 30000));
        var e = Assert.Throws<GlassboxException>(() => ImageFile.Load(dir.File("cats/big.jpg"), 1, 8, 8));
        Assert.Contains("is 30000×30000 pixels by its header", e.Message);
        Assert.Contains("is 30000×30000 pixels by its header", Assert.Throws<GlassboxException>(() => ImageFolder.Load(dir.Path, new ImageLoadOptions(1, 8, 8))).Message);
    }

    [Fact]
    public void TargetSize_AboveTheBound_IsRefused()
        => Assert.Contains("too large", Assert.Throws<GlassboxException>(() => new ImageLoadOptions(3, 20000, 20000).Validate()).Message);

    private static byte[] IdxHeader(params int[] dims)
    {
        var header = new byte[4 + 4 * dims.Length];
        header[2] = 8;
        header[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dims[i]);
        return header;
    }

    [Fact]
    public void GzipIdx_WhoseHeaderClaimsGigabytes_IsRefusedBeforeDecompressing()
    {
        using var dir = new TempDirectory();
        string path = dir.File("train-images-idx3-ubyte.gz");
        using (var fs = File.Create(path))
        using (var gz = new GZipStream(fs, CompressionLevel.SmallestSize))
        {
            gz.Write(IdxHeader(3000, 1000, 1000)); // 3 GB claimed
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 300; i++) gz.Write(zeros); // 300 MB of zeros, a few hundred KB compressed
        }
        Assert.True(new FileInfo(path).Length < 3 << 20);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<GlassboxException>(() => IdxFile.Read(path));
        Assert.Contains("declares 3000×1000×1000 bytes of data, more than the 1073741824 bytes Glassbox reads", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 32 << 20, "decompressed before refusing");
    }

    [Fact]
    public void RawIdx_IsCheckedAgainstTheFileLengthBeforeReading()
    {
        using var dir = new TempDirectory();
        string path = dir.File("x");
        File.WriteAllBytes(path, [.. IdxHeader(60000, 28, 28), .. new byte[100]]);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<GlassboxException>(() => IdxFile.Read(path));
        Assert.Contains("is truncated: header says 60000×28×28 = 47040000 bytes of data but only 100 are present", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);

        File.WriteAllBytes(path, [.. IdxHeader(int.MaxValue, int.MaxValue), .. new byte[100]]);
        Assert.Contains("more than the 1073741824 bytes", Assert.Throws<GlassboxException>(() => IdxFile.Read(path)).Message);
    }

    [Fact]
    public void GzipIdx_DecompressingToMoreThanItsHeader_IsRefused()
    {
        using var dir = new TempDirectory();
        string path = dir.File("x.gz");
        using (var fs = File.Create(path))
        using (var gz = new GZipStream(fs, CompressionLevel.SmallestSize))
        {
            gz.Write(IdxHeader(2, 2));
            gz.Write(new byte[8 << 20]);
        }
        Assert.Contains("decompresses to more than its header declares", Assert.Throws<GlassboxException>(() => IdxFile.Read(path)).Message);
    }

    [Fact]
    public void MnistFolder_WithAnOversizedClassNameFile_IsRefused()
    {
        using var dir = new TempDirectory();
        IdxFile.Write(dir.File("t10k-images-idx3-ubyte"), [2, 2, 2], new byte[8], gzip: false);
        IdxFile.Write(dir.File("t10k-labels-idx1-ubyte"), [2], [0, 1], gzip: false);
        File.WriteAllText(dir.File("classes.txt"), "a\nb\n" + new string('x', 2 << 20));
        var e = Assert.Throws<GlassboxException>(() => MnistFormat.LoadFolder(dir.Path, "test"));
        Assert.Contains("is not a regular text file of at most 1024 KB", e.Message);
        File.WriteAllText(dir.File("classes.txt"), "a\nb\n");
        Assert.Equal(["a", "b"], MnistFormat.LoadFolder(dir.Path, "test").ClassNames);
    }
}

using Glassbox.Data;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Tests.IO;

namespace Glassbox.Tests.Data;

public class InputImagesReaderTests
{
    private static ModelInfo Gray4 => new(Architecture.PooledCnn, 1, 4, 4, MnistFormat.DigitClassNames);

    [Fact]
    public void Open_ReadsChunksThatJoinToWhatLoadReturns_ScalingUInt8()
    {
        using var dir = new TempDirectory();
        byte[] raw = Enumerable.Range(0, 9 * 16).Select(i => (byte)(i * 7 % 256)).ToArray();
        NpyFile.Write(dir.File("u8.npy"), raw, [9, 4, 4]);
        var (all, n, names) = InputImages.Load(dir.File("u8.npy"), Gray4);
        using var reader = InputImages.Open(dir.File("u8.npy"), Gray4);
        Assert.Equal(9, reader.Count);
        Assert.Equal(16, reader.ImageSize);
        Assert.Equal(names, reader.Names);
        Assert.Equal("u8.npy[4]", reader.Name(4));
        var joined = new List<float>();
        for (int start = 0; start < n; start += 4) joined.AddRange(reader.Read(start, Math.Min(4, n - start)));
        Assert.Equal(all, joined);
        Assert.Equal(raw[20] / 255f, reader.Read(1, 1)[4]);
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.Read(8, 2));
    }

    [Fact]
    public void Open_ChecksTheShapeAtOnce_AndEachChunksValuesWhenRead()
    {
        using var dir = new TempDirectory();
        var px = Enumerable.Repeat(0.5f, 6 * 16).ToArray();
        px[5 * 16 + 3] = float.NaN;
        NpyFile.Write(dir.File("nan.npy"), px, [6, 1, 4, 4]);
        using (var reader = InputImages.Open(dir.File("nan.npy"), Gray4))
        {
            Assert.Equal(Enumerable.Repeat(0.5f, 3 * 16), reader.Read(0, 3));
            Assert.Contains("contains NaN or infinite values", Assert.Throws<GlassboxException>(() => reader.Read(3, 3)).Message);
        }
        NpyFile.Write(dir.File("wide.npy"), new float[2 * 20], [2, 4, 5]);
        Assert.Contains("has shape (2, 4, 5)", Assert.Throws<GlassboxException>(() => InputImages.Open(dir.File("wide.npy"), Gray4)).Message);
        File.WriteAllBytes(dir.File("cut.npy"), File.ReadAllBytes(dir.File("nan.npy"))[..^8]);
        Assert.Contains("is truncated", Assert.Throws<GlassboxException>(() => InputImages.Open(dir.File("cut.npy"), Gray4)).Message);
    }
}

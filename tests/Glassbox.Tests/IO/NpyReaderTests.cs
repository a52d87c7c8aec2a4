using Glassbox.IO;

namespace Glassbox.Tests.IO;

public class NpyReaderTests
{
    [Fact]
    public void ReadRows_ReturnsExactlyTheRowsAskedFor_InEveryDtype()
    {
        using var dir = new TempDirectory();
        float[] f = Enumerable.Range(0, 7 * 2 * 3).Select(i => i * 0.25f - 4).ToArray();
        NpyFile.Write(dir.File("f.npy"), f, [7, 2, 3]);
        using (var r = NpyReader.Open(dir.File("f.npy")))
        {
            Assert.Equal([7, 2, 3], r.Shape);
            Assert.Equal(7, r.Rows);
            Assert.Equal(6, r.RowLength);
            Assert.Equal("<f4", r.DType);
            var rows = r.ReadRows(2, 3);
            Assert.Equal([3, 2, 3], rows.Shape);
            Assert.Equal(f[12..30], (float[])rows.Data);
            // Any order of reads: the reader seeks.
            Assert.Equal(f[36..42], (float[])r.ReadRows(6, 1).Data);
            Assert.Equal(f[0..6], (float[])r.ReadRows(0, 1).Data);
            Assert.Empty((float[])r.ReadRows(7, 0).Data);
            Assert.Throws<ArgumentOutOfRangeException>(() => r.ReadRows(5, 3));
            Assert.Throws<ArgumentOutOfRangeException>(() => r.ReadRows(-1, 1));
        }

        byte[] b = Enumerable.Range(0, 5 * 4).Select(i => (byte)(i * 12)).ToArray();
        NpyFile.Write(dir.File("b.npy"), b, [5, 4]);
        using (var r = NpyReader.Open(dir.File("b.npy")))
        {
            Assert.True(r.IsUInt8);
            Assert.Equal(b[8..16], (byte[])r.ReadRows(2, 2).Data);
        }

        long[] l = [long.MinValue, -3, 0, 9, long.MaxValue];
        NpyFile.Write(dir.File("l.npy"), l, [5]);
        using (var r = NpyReader.Open(dir.File("l.npy")))
        {
            Assert.Equal(1, r.RowLength);
            Assert.Equal(l[1..4], (long[])r.ReadRows(1, 3).Data);
        }

        double[] s = [Math.E];
        NpyFile.Write(dir.File("s.npy"), s, []);
        using (var r = NpyReader.Open(dir.File("s.npy")))
        {
            Assert.Equal(1, r.Rows);
            var one = r.ReadRows(0, 1);
            Assert.Empty(one.Shape);
            Assert.Equal(s, (double[])one.Data);
        }
    }

    [Fact]
    public void ReadRows_LargerThanOneReadBuffer_AndBigEndian_MatchTheWholeArray()
    {
        using var dir = new TempDirectory();
        var rng = new Random(3);
        double[] d = Enumerable.Range(0, 3000 * 11).Select(_ => rng.NextDouble() - 0.5).ToArray();
        NpyFile.Write(dir.File("d.npy"), d, [3000, 11]);
        using (var r = NpyReader.Open(dir.File("d.npy")))
        {
            for (int start = 0; start < 3000; start += 997)
            {
                int m = Math.Min(997, 3000 - start);
                Assert.Equal(d.AsSpan(start * 11, m * 11).ToArray(), (double[])r.ReadRows(start, m).Data);
            }
        }

        // '>i4' written by hand: rows come back in the machine's order.
        int[] values = [1, -2, 300000, int.MinValue, 7, 8];
        var header = "{'descr': '>i4', 'fortran_order': False, 'shape': (3, 2), }";
        var prefix = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0 };
        int headerLength = 128 - 10;
        prefix.AddRange(BitConverter.GetBytes((ushort)headerLength));
        prefix.AddRange(System.Text.Encoding.ASCII.GetBytes(header.PadRight(headerLength - 1) + "\n"));
        foreach (int v in values) prefix.AddRange(BitConverter.GetBytes(v).Reverse());
        File.WriteAllBytes(dir.File("be.npy"), prefix.ToArray());
        using var be = NpyReader.Open(dir.File("be.npy"));
        Assert.Equal("<i4", be.DType);
        Assert.Equal(values[2..6], (int[])be.ReadRows(1, 2).Data);
        Assert.Equal(values, (int[])NpyFile.Read(dir.File("be.npy")).Data);
    }

    [Fact]
    public void Open_RefusesTruncatedAndPaddedFiles_BeforeAnyRowIsRead()
    {
        using var dir = new TempDirectory();
        NpyFile.Write(dir.File("ok.npy"), Enumerable.Range(0, 40).Select(i => (float)i).ToArray(), [10, 4]);
        byte[] bytes = File.ReadAllBytes(dir.File("ok.npy"));

        File.WriteAllBytes(dir.File("short.npy"), bytes[..^4]);
        var e = Assert.Throws<GlassboxException>(() => NpyReader.Open(dir.File("short.npy")));
        Assert.Contains("is truncated", e.Message);
        Assert.Contains("(10, 4) of float32 = 160 bytes of data but only 156 are present", e.Message);

        File.WriteAllBytes(dir.File("long.npy"), [.. bytes, 0, 0, 0, 0]);
        Assert.Contains("4 bytes after the 160 bytes", Assert.Throws<GlassboxException>(() => NpyReader.Open(dir.File("long.npy"))).Message);

        File.WriteAllBytes(dir.File("header.npy"), bytes[..20]);
        Assert.Contains("is truncated: its header should be", Assert.Throws<GlassboxException>(() => NpyReader.Open(dir.File("header.npy"))).Message);

        File.WriteAllBytes(dir.File("text.npy"), "hello, not numpy"u8.ToArray());
        Assert.Contains("is not a .npy file", Assert.Throws<GlassboxException>(() => NpyReader.Open(dir.File("text.npy"))).Message);
        Assert.Contains("does not exist", Assert.Throws<GlassboxException>(() => NpyReader.Open(dir.File("none.npy"))).Message);
    }
}

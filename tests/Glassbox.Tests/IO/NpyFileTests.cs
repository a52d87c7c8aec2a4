using System.Text;
using Glassbox.IO;

namespace Glassbox.Tests.IO;

public class NpyFileTests
{
    [Fact]
    public void Npy_RoundTrips_Float32()
    {
        using var dir = new TempDirectory();
        float[] data = [1.5f, -2f, float.MaxValue, float.Epsilon, 0f, 3.25f];
        NpyFile.Write(dir.File("a.npy"), data, [2, 3]);
        NpyArray a = NpyFile.Read(dir.File("a.npy"));
        Assert.Equal("<f4", a.DType);
        Assert.Equal([2, 3], a.Shape);
        Assert.Equal(data, (float[])a.Data);
    }

    [Fact]
    public void Npy_RoundTrips_Float64()
    {
        using var dir = new TempDirectory();
        double[] data = [Math.PI, -1e300, 0.1];
        NpyFile.Write(dir.File("a.npy"), data, [3]);
        NpyArray a = NpyFile.Read(dir.File("a.npy"));
        Assert.Equal("<f8", a.DType);
        Assert.Equal(data, (double[])a.Data);
    }

    [Fact]
    public void Npy_RoundTrips_UInt8()
    {
        using var dir = new TempDirectory();
        byte[] data = Enumerable.Range(0, 24).Select(i => (byte)(i * 10)).ToArray();
        NpyFile.Write(dir.File("a.npy"), data, [2, 3, 4]);
        NpyArray a = NpyFile.Read(dir.File("a.npy"));
        Assert.Equal("|u1", a.DType);
        Assert.Equal([2, 3, 4], a.Shape);
        Assert.Equal(data, (byte[])a.Data);
    }

    [Fact]
    public void Npy_RoundTrips_Int32()
    {
        using var dir = new TempDirectory();
        int[] data = [int.MinValue, -1, 0, 1, int.MaxValue, 42];
        NpyFile.Write(dir.File("a.npy"), data, [3, 2]);
        NpyArray a = NpyFile.Read(dir.File("a.npy"));
        Assert.Equal("<i4", a.DType);
        Assert.Equal(data, (int[])a.Data);
    }

    [Fact]
    public void Npy_RoundTrips_Int64()
    {
        using var dir = new TempDirectory();
        long[] data = [long.MinValue, -7, long.MaxValue];
        NpyFile.Write(dir.File("a.npy"), data, [3]);
        NpyArray a = NpyFile.Read(dir.File("a.npy"));
        Assert.Equal("<i8", a.DType);
        Assert.Equal(data, (long[])a.Data);
    }

    [Fact]
    public void Npy_RoundTrips_ScalarShape()
    {
        using var dir = new TempDirectory();
        NpyFile.Write(dir.File("s.npy"), [7.5f], []);
        Assert.Contains("'shape': (), }", HeaderText(dir.File("s.npy")));
        NpyArray a = NpyFile.Read(dir.File("s.npy"));
        Assert.Empty(a.Shape);
        Assert.Equal([7.5f], (float[])a.Data);
    }

    [Fact]
    public void Npy_RoundTrips_VectorShape_FormattedLikeNumpy()
    {
        using var dir = new TempDirectory();
        NpyFile.Write(dir.File("v.npy"), [1, 2, 3, 4, 5], [5]);
        Assert.StartsWith("{'descr': '<i4', 'fortran_order': False, 'shape': (5,), }", HeaderText(dir.File("v.npy")));
        Assert.Equal([5], NpyFile.Read(dir.File("v.npy")).Shape);
    }

    [Fact]
    public void Npy_RoundTrips_EmptyArray()
    {
        using var dir = new TempDirectory();
        NpyFile.Write(dir.File("e.npy"), Array.Empty<float>(), [0, 3]);
        NpyArray a = NpyFile.Read(dir.File("e.npy"));
        Assert.Equal([0, 3], a.Shape);
        Assert.Empty((float[])a.Data);
    }

    [Theory]
    [InlineData(new int[0])]
    [InlineData(new[] { 1 })]
    [InlineData(new[] { 2, 3 })]
    [InlineData(new[] { 1000000, 1 })]
    [InlineData(new[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 })]
    public void Npy_Header_IsPaddedTo64BytesAndEndsWithNewline(int[] shape)
    {
        using var dir = new TempDirectory();
        string path = dir.File("p.npy");
        int count = shape.Aggregate(1, (a, d) => a * d);
        NpyFile.Write(path, new byte[count], shape);
        byte[] bytes = File.ReadAllBytes(path);
        int headerLength = BitConverter.ToUInt16(bytes, 8);
        int dataStart = 10 + headerLength;
        Assert.Equal(0, dataStart % 64);
        Assert.Equal((byte)'\n', bytes[dataStart - 1]);
        Assert.Equal(count, bytes.Length - dataStart);
        Assert.All(bytes.AsSpan(10, headerLength - 1).ToArray(), b => Assert.InRange(b, (byte)0x20, (byte)0x7e));
    }

    /// <summary>The bytes numpy writes for np.save(f, np.array([[1, 2, 3], [4, 5, 6]], dtype='&lt;f4')).</summary>
    private static byte[] NumpyBytesFor2x3Float32()
    {
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, 118, 0 };
        string dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
        bytes.AddRange(Encoding.ASCII.GetBytes(dict));
        bytes.AddRange(Enumerable.Repeat((byte)' ', 128 - 10 - dict.Length - 1));
        bytes.Add((byte)'\n');
        foreach (float v in new[] { 1f, 2f, 3f, 4f, 5f, 6f })
            bytes.AddRange(BitConverter.GetBytes(v));
        return bytes.ToArray();
    }

    [Fact]
    public void Npy_Reads_HandBuiltNumpyV1File()
    {
        using var dir = new TempDirectory();
        byte[] expected = NumpyBytesFor2x3Float32();
        Assert.Equal(128 + 24, expected.Length);
        File.WriteAllBytes(dir.File("np.npy"), expected);
        NpyArray a = NpyFile.Read(dir.File("np.npy"));
        Assert.Equal("<f4", a.DType);
        Assert.Equal([2, 3], a.Shape);
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], (float[])a.Data);
    }

    [Fact]
    public void Npy_Write_ProducesTheBytesNumpyWrites()
    {
        using var dir = new TempDirectory();
        NpyFile.Write(dir.File("ours.npy"), [1f, 2f, 3f, 4f, 5f, 6f], [2, 3]);
        Assert.Equal(NumpyBytesFor2x3Float32(), File.ReadAllBytes(dir.File("ours.npy")));
    }

    [Fact]
    public void Npy_Reads_Version2Header()
    {
        using var dir = new TempDirectory();
        string dict = "{'descr': '<i8', 'fortran_order': False, 'shape': (2,), }";
        int headerLength = 128 - 12;
        var bytes = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 2, 0 };
        bytes.AddRange(BitConverter.GetBytes((uint)headerLength));
        bytes.AddRange(Encoding.ASCII.GetBytes(dict.PadRight(headerLength - 1)));
        bytes.Add((byte)'\n');
        bytes.AddRange(BitConverter.GetBytes(-5L));
        bytes.AddRange(BitConverter.GetBytes(9L));
        File.WriteAllBytes(dir.File("v2.npy"), bytes.ToArray());
        Assert.Equal([-5L, 9L], (long[])NpyFile.Read(dir.File("v2.npy")).Data);
    }

    [Fact]
    public void Npy_Reads_BigEndianAsNativeValues()
    {
        using var dir = new TempDirectory();
        string path = dir.File("be.npy");
        NpyFile.Write(path, [1f, -2.5f], [2]);
        byte[] bytes = File.ReadAllBytes(path);
        int dataStart = 10 + BitConverter.ToUInt16(bytes, 8);
        string header = Encoding.ASCII.GetString(bytes, 10, dataStart - 10).Replace("'<f4'", "'>f4'");
        Encoding.ASCII.GetBytes(header).CopyTo(bytes, 10);
        Array.Reverse(bytes, dataStart, 4);
        Array.Reverse(bytes, dataStart + 4, 4);
        File.WriteAllBytes(path, bytes);
        NpyArray a = NpyFile.Read(path);
        Assert.Equal("<f4", a.DType);
        Assert.Equal([1f, -2.5f], (float[])a.Data);
    }

    [Fact]
    public void Npy_ReadFloat32_ConvertsEveryDType()
    {
        using var dir = new TempDirectory();
        NpyFile.Write(dir.File("d.npy"), [0.5, 2.0], [2]);
        NpyFile.Write(dir.File("b.npy"), new byte[] { 0, 255 }, [1, 2]);
        NpyFile.Write(dir.File("i.npy"), [-3, 4], [2]);
        NpyFile.Write(dir.File("l.npy"), [-3L, 4L], [2]);
        Assert.Equal([0.5f, 2f], NpyFile.ReadFloat32(dir.File("d.npy"), out _));
        Assert.Equal([0f, 255f], NpyFile.ReadFloat32(dir.File("b.npy"), out int[] shape));
        Assert.Equal([1, 2], shape);
        Assert.Equal([-3f, 4f], NpyFile.ReadFloat32(dir.File("i.npy"), out _));
        Assert.Equal([-3f, 4f], NpyFile.ReadFloat32(dir.File("l.npy"), out _));
    }

    [Fact]
    public void Npy_Rejects_FortranOrder()
    {
        using var dir = new TempDirectory();
        string path = dir.File("f.npy");
        byte[] bytes = NumpyBytesFor2x3Float32();
        string header = Encoding.ASCII.GetString(bytes, 10, 118).Replace("False", "True ");
        Encoding.ASCII.GetBytes(header).CopyTo(bytes, 10);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<GlassboxException>(() => NpyFile.Read(path));
        Assert.Contains("Fortran", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Npy_Rejects_TruncatedData()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.npy");
        File.WriteAllBytes(path, NumpyBytesFor2x3Float32()[..^5]);
        var e = Assert.Throws<GlassboxException>(() => NpyFile.Read(path));
        Assert.Contains("is truncated", e.Message);
        Assert.Contains("(2, 3) of float32 = 24 bytes of data but only 19 are present", e.Message);
    }

    [Fact]
    public void Npy_Rejects_BadMagic()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.npy");
        File.WriteAllBytes(path, Encoding.ASCII.GetBytes("PK\u0003\u0004 this is a zip, not npy"));
        var e = Assert.Throws<GlassboxException>(() => NpyFile.Read(path));
        Assert.Contains("is not a .npy file", e.Message);
    }

    [Fact]
    public void Npy_Rejects_UnparsableHeader()
    {
        using var dir = new TempDirectory();
        string path = dir.File("h.npy");
        byte[] bytes = NumpyBytesFor2x3Float32();
        string header = Encoding.ASCII.GetString(bytes, 10, 118).Replace("(2, 3)", "(2; 3)");
        Encoding.ASCII.GetBytes(header).CopyTo(bytes, 10);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<GlassboxException>(() => NpyFile.Read(path));
        Assert.Contains("header that cannot be parsed", e.Message);
    }

    [Fact]
    public void Npy_Rejects_UnsupportedDType()
    {
        using var dir = new TempDirectory();
        string path = dir.File("c.npy");
        byte[] bytes = NumpyBytesFor2x3Float32();
        string header = Encoding.ASCII.GetString(bytes, 10, 118).Replace("'<f4'", "'<c8'");
        Encoding.ASCII.GetBytes(header).CopyTo(bytes, 10);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<GlassboxException>(() => NpyFile.Read(path));
        Assert.Contains("'<c8'", e.Message);
    }

    [Fact]
    public void Npy_Write_RejectsShapeThatDoesNotMatchData()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<GlassboxException>(() => NpyFile.Write(dir.File("x.npy"), new float[5], [2, 3]));
        Assert.Contains("needs 6 values but 5 were given", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    private static string HeaderText(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        return Encoding.ASCII.GetString(bytes, 10, BitConverter.ToUInt16(bytes, 8));
    }
}

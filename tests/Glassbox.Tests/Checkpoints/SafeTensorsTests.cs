using System.Buffers.Binary;
using System.Text;
using Glassbox.Checkpoints;
using Glassbox.Tests.IO;

namespace Glassbox.Tests.Checkpoints;

public class SafeTensorsTests
{
    private static Dictionary<string, SafeTensor> Sample() => new()
    {
        ["b"] = new SafeTensor([2, 3], [1, 2, 3, 4, 5, 6]),
        ["a"] = new SafeTensor([1], [-0.5f]),
        ["c.weight"] = new SafeTensor([2, 1, 2], [float.Epsilon, float.MaxValue, -0f, 1e-30f]),
    };

    private static string WriteFile(TempDirectory dir, Dictionary<string, SafeTensor> tensors, string name = "w.safetensors")
    {
        string path = dir.File(name);
        using (var fs = File.Create(path)) SafeTensors.Write(fs, tensors, new Dictionary<string, string> { ["format"] = "pt" });
        return path;
    }

    /// <summary>A safetensors file with the given JSON header (padded to 8 bytes) and raw data.</summary>
    private static string WriteRaw(TempDirectory dir, string header, byte[] data, string name = "raw.safetensors")
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        int padded = (json.Length + 7) / 8 * 8;
        var bytes = new byte[8 + padded + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)padded);
        json.CopyTo(bytes, 8);
        for (int i = json.Length; i < padded; i++) bytes[8 + i] = (byte)' ';
        data.CopyTo(bytes, 8 + padded);
        string path = dir.File(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void WriteThenRead_GivesTheSameTensors()
    {
        using var dir = new TempDirectory();
        var tensors = Sample();
        var read = SafeTensors.Read(WriteFile(dir, tensors));
        Assert.Equal(tensors.Keys.Order(), read.Keys.Order());
        foreach (var (k, t) in tensors)
        {
            Assert.Equal(t.Shape, read[k].Shape);
            Assert.Equal(t.Data, read[k].Data);
        }
    }

    [Fact]
    public void Write_ShapeAndDataDisagree_Throws()
    {
        var bad = new Dictionary<string, SafeTensor> { ["x"] = new SafeTensor([2, 2], [1, 2, 3]) };
        var ex = Assert.Throws<ArgumentException>(() => SafeTensors.Write(new MemoryStream(), bad));
        Assert.Contains("'x'", ex.Message);
    }

    [Fact]
    public void Read_TruncatedData_GivesClearErrorNamingTheTensor()
    {
        using var dir = new TempDirectory();
        string path = WriteFile(dir, Sample());
        byte[] all = File.ReadAllBytes(path);
        File.WriteAllBytes(path, all[..^6]); // the last tensor ("c.weight") loses part of its data
        var ex = Assert.Throws<GlassboxException>(() => SafeTensors.Read(path));
        Assert.Contains("is not a valid safetensors file", ex.Message);
        Assert.Contains("'c.weight'", ex.Message);
        Assert.Contains("truncated file?", ex.Message);
    }

    [Fact]
    public void Read_FileCutInsideTheHeader_SaysTheHeaderDoesNotFit()
    {
        using var dir = new TempDirectory();
        string path = WriteFile(dir, Sample());
        byte[] all = File.ReadAllBytes(path);
        File.WriteAllBytes(path, all[..20]);
        var ex = Assert.Throws<GlassboxException>(() => SafeTensors.Read(path));
        Assert.Contains("the header claims", ex.Message);
        Assert.Contains("the file has 12 after the length", ex.Message);
    }

    [Fact]
    public void Read_FileShorterThan8Bytes_IsRejected()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("tiny.safetensors"), [1, 2, 3]);
        var ex = Assert.Throws<GlassboxException>(() => SafeTensors.Read(dir.File("tiny.safetensors")));
        Assert.Contains("shorter than the 8-byte header length", ex.Message);
        Assert.Contains("does not exist", Assert.Throws<GlassboxException>(() => SafeTensors.Read(dir.File("none.safetensors"))).Message);
    }

    [Fact]
    public void Read_MalformedJsonOrEntries_AreRejected()
    {
        using var dir = new TempDirectory();
        var ex = Assert.Throws<GlassboxException>(() => SafeTensors.Read(WriteRaw(dir, "{\"a\": [", [])));
        Assert.Contains("JSON header does not parse", ex.Message);

        var ex2 = Assert.Throws<GlassboxException>(() => SafeTensors.Read(WriteRaw(dir, """{"a":{"dtype":"F32","shape":[1]}}""", new byte[4], "b.safetensors")));
        Assert.Contains("header entry for 'a' is malformed", ex2.Message);

        var ex3 = Assert.Throws<GlassboxException>(() => SafeTensors.Read(WriteRaw(dir, """{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}""", new byte[8], "c.safetensors")));
        Assert.Contains("dtype C64", ex3.Message);
        // Integer tensors (BatchNorm's num_batches_tracked is int64) are read as float.
        var ints = SafeTensors.Read(WriteRaw(dir, """{"n":{"dtype":"I64","shape":[1],"data_offsets":[0,8]}}""", BitConverter.GetBytes(42L), "i.safetensors"));
        Assert.Equal(42f, Assert.Single(ints["n"].Data));

        // Offsets that disagree with the shape.
        var ex4 = Assert.Throws<GlassboxException>(() => SafeTensors.Read(WriteRaw(dir, """{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", new byte[8], "d.safetensors")));
        Assert.Contains("tensor 'a' has data offsets [0, 8)", ex4.Message);
    }

    [Fact]
    public void Read_ConvertsF64F16AndBF16ToFloat32()
    {
        using var dir = new TempDirectory();
        var data = new byte[8 * 2 + 2 * 2 + 2 * 2];
        BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(0), 1.5);
        BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(8), -2.25);
        BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(16), (Half)0.333251953125); // exactly representable in F16
        BinaryPrimitives.WriteHalfLittleEndian(data.AsSpan(18), (Half)(-65504));
        // BF16 is the upper half of a float32: 3.140625f = 0x40490000.
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(20), 0x4049);
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(22), 0xBF80); // -1
        string header = """{"d":{"dtype":"F64","shape":[2],"data_offsets":[0,16]},"h":{"dtype":"F16","shape":[2],"data_offsets":[16,20]},"bf":{"dtype":"BF16","shape":[1,2],"data_offsets":[20,24]}}""";
        var read = SafeTensors.Read(WriteRaw(dir, header, data));
        Assert.Equal(new[] { 1.5f, -2.25f }, read["d"].Data);
        Assert.Equal(new[] { 0.333251953125f, -65504f }, read["h"].Data);
        Assert.Equal(new[] { 3.140625f, -1f }, read["bf"].Data);
        Assert.Equal(new long[] { 1, 2 }, read["bf"].Shape);
    }
}

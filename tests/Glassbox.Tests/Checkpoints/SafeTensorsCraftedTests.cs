using System.Buffers.Binary;
using System.Text;
using Glassbox.Checkpoints;
using Glassbox.Tests.IO;

namespace Glassbox.Tests.Checkpoints;

/// <summary>Crafted safetensors headers from the GitHub issue 8 probe: each is one clear error, never a crash.</summary>
public class SafeTensorsCraftedTests
{
    private static string WriteRaw(TempDirectory dir, byte[] header, byte[] data, ulong? claimedLength = null)
    {
        int padded = (header.Length + 7) / 8 * 8;
        var bytes = new byte[8 + padded + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, claimedLength ?? (ulong)padded);
        header.CopyTo(bytes, 8);
        for (int i = header.Length; i < padded; i++) bytes[8 + i] = (byte)' ';
        data.CopyTo(bytes, 8 + padded);
        string path = dir.File(Guid.NewGuid().ToString("N") + ".safetensors");
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private static string Refused(string header, int dataBytes = 16)
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<GlassboxException>(() => SafeTensors.Read(WriteRaw(dir, Encoding.UTF8.GetBytes(header), new byte[dataBytes])));
        Assert.Contains("is not a valid safetensors file", e.Message);
        return e.Message;
    }

    [Fact]
    public void DuplicateKeys_AreRefused()
    {
        Assert.Contains("key \"a\" appears twice in the top-level object",
            Refused("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"""));
        Assert.Contains("key \"shape\" appears twice in a",
            Refused("""{"a":{"dtype":"F32","shape":[1],"shape":[2],"data_offsets":[0,4]}}"""));
    }

    [Theory]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0]}}""", "two integers")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4,8]}}""", "two integers")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":["0","4"]}}""", "two integers")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}""", "0 <= begin <= end")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}}""", "0 <= begin <= end")]
    [InlineData("""{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}""", "shape entry 0 must be a non-negative integer")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}""", "shape entry 0 must be a non-negative integer")]
    [InlineData("""{"a":{"dtype":"F32","shape":[4294967296,4294967296,4294967296],"data_offsets":[0,4]}}""", "do not fit its shape [4294967296,4294967296,4294967296] of F32 or the 16 data bytes")]
    [InlineData("""{"a":{"dtype":"F64","shape":[9223372036854775807,2],"data_offsets":[0,4]}}""", "of F64 or the 16 data bytes")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}""", "do not fit its shape")]
    [InlineData("""{"a":{"dtype":"F32","shape":[1],"data_offsets":[9223372036854775800,9223372036854775804]}}""", "do not fit its shape")]
    [InlineData("""{"a":{"dtype":7,"shape":[1],"data_offsets":[0,4]}}""", "\"dtype\" must be a string")]
    [InlineData("""{"a":[1,2]}""", "must be an object")]
    public void MalformedEntries_AreRefused(string header, string expected)
        => Assert.Contains(expected, Refused(header));

    [Fact]
    public void OverlappingTensors_AreRefused_ButZeroSizedTensorsMayShareAnOffset()
    {
        string msg = Refused("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""");
        Assert.Contains("'a' [0, 8) and 'b' [4, 12) overlap", msg);
        Assert.Contains("overlap", Refused("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"""));

        using var dir = new TempDirectory();
        var ok = SafeTensors.Read(WriteRaw(dir, Encoding.UTF8.GetBytes("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"e":{"dtype":"F32","shape":[0,3],"data_offsets":[4,4]}}"""), new byte[8]));
        Assert.Empty(ok["e"].Data);
        Assert.Equal(2, ok["a"].Data.Length);
    }

    [Fact]
    public void InvalidUtf8Key_IsRefused()
    {
        using var dir = new TempDirectory();
        byte[] header = [.. "{\""u8, 0xC3, 0x28, .. "\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"u8];
        var e = Assert.Throws<GlassboxException>(() => SafeTensors.Read(WriteRaw(dir, header, new byte[4])));
        Assert.Contains("not valid UTF-8", e.Message);
    }

    [Fact]
    public void HeaderLongerThanTheFile_IsRefusedBeforeAllocating()
    {
        using var dir = new TempDirectory();
        foreach (ulong claimed in new[] { 1UL << 40, ulong.MaxValue, 200UL })
        {
            var e = Assert.Throws<GlassboxException>(() => SafeTensors.Read(WriteRaw(dir, "{}"u8.ToArray(), new byte[4], claimed)));
            Assert.Contains("the header claims more", e.Message);
            Assert.DoesNotContain(claimed.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
        }
    }
}

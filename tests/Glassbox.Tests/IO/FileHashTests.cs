using Glassbox.IO;

namespace Glassbox.Tests.IO;

public class FileHashTests
{
    [Fact]
    public void Sha256Hex_MatchesKnownDigest()
    {
        using var dir = new TempDirectory();
        string path = dir.File("abc.txt");
        File.WriteAllText(path, "abc");
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", FileHash.Sha256Hex(path));
    }
}

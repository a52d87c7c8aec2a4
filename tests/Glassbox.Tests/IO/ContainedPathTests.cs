using Glassbox.IO;

namespace Glassbox.Tests.IO;

public class ContainedPathTests
{
    [Fact]
    public void ResolveName_KeepsNamesInsideTheFolder()
    {
        using var dir = new TempDirectory();
        Assert.Equal(dir.File("a/b.bin"), ContainedPath.ResolveName(dir.Path, "a/./b.bin", "test"));
        Assert.Equal(dir.File("b.bin"), ContainedPath.ResolveName(dir.Path, "a/../b.bin", "test"));
        Assert.Contains("points outside", Assert.Throws<GlassboxException>(() => ContainedPath.ResolveName(dir.Path, "a/../../b.bin", "test")).Message);
        Assert.Contains("points outside", Assert.Throws<GlassboxException>(() => ContainedPath.ResolveName(dir.Path, "..", "test")).Message);
        Assert.Contains("points outside", Assert.Throws<GlassboxException>(() => ContainedPath.ResolveName(dir.Path, ".", "test")).Message);
        Assert.Contains("absolute path", Assert.Throws<GlassboxException>(() => ContainedPath.ResolveName(dir.Path, Path.GetFullPath(dir.File("b.bin")), "test")).Message);
        Assert.Contains("empty", Assert.Throws<GlassboxException>(() => ContainedPath.ResolveName(dir.Path, " ", "test")).Message);
    }

    [Fact]
    public void ResolveFile_ReturnsTheRealPath_AndRefusesLinkLoops()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("real.txt"), "x");
        File.CreateSymbolicLink(dir.File("link.txt"), "real.txt");
        Assert.Equal(ContainedPath.RealPath(dir.File("real.txt"), "test"), ContainedPath.ResolveFile(dir.Path, "link.txt", "test"));
        File.CreateSymbolicLink(dir.File("loop1"), "loop2");
        File.CreateSymbolicLink(dir.File("loop2"), "loop1");
        Assert.Contains("symbolic links", Assert.Throws<GlassboxException>(() => ContainedPath.ResolveFile(dir.Path, "loop1", "test")).Message);
        Assert.Contains("does not exist", Assert.Throws<GlassboxException>(() => ContainedPath.ResolveFile(dir.Path, "none.txt", "test")).Message);
    }

    [Fact]
    public void IsRegularFile_IsFalseForDevicesAndFolders()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("f.txt"), "x");
        Assert.True(ContainedPath.IsRegularFile(dir.File("f.txt")));
        Assert.False(ContainedPath.IsRegularFile(dir.Path));
        if (OperatingSystem.IsLinux()) Assert.False(ContainedPath.IsRegularFile("/dev/zero"));
    }
}

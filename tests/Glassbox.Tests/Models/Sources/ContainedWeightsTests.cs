using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Glassbox.Checkpoints;
using Glassbox.Models.Sources;
using Glassbox.Tests.Data;
using Glassbox.Tests.IO;

namespace Glassbox.Tests.Models.Sources;

/// <summary>A spec's "weights" must stay inside the spec's folder and be a regular file (GitHub issue 8).</summary>
public class ContainedWeightsTests
{
    private static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "fixtures", "models", name);

    private const string SmallLayers = "[{\"type\": \"conv2d\", \"in\": 1, \"out\": 4, \"kernel\": 3}, {\"type\": \"relu\"}, {\"type\": \"maxpool2d\", \"kernel\": 2}, {\"type\": \"flatten\"}, {\"type\": \"linear\", \"in\": 36, \"out\": 3}]";

    private static string Spec(string folder, string weightsJson)
    {
        string path = Path.Combine(folder, "spec.json");
        File.WriteAllText(path, $"{{\"input\": {{\"channels\": 1, \"height\": 8, \"width\": 8}}, \"classes\": 3, \"weights\": {weightsJson}, \"layers\": {SmallLayers}}}");
        return path;
    }

    private static GlassboxException Refused(string spec)
    {
        // A FIFO or device must be refused, not opened: a hang would fail the test by timeout instead of blocking forever.
        var task = Task.Run(() => Assert.Throws<GlassboxException>(() => SequentialSpec.Load(spec)));
        Assert.True(task.Wait(TimeSpan.FromSeconds(30)), "loading the spec hung");
        return task.Result;
    }

    [Theory]
    [InlineData("../../../../../../etc/passwd", "points outside")]
    [InlineData("sub/../../w.safetensors", "points outside")]
    [InlineData("/proc/self/environ", "absolute path")]
    [InlineData("/dev/zero", "absolute path")]
    public void Weights_OutsideTheSpecFolder_AreRefusedByName(string weights, string expected)
    {
        using var dir = new TempDirectory();
        var e = Refused(Spec(dir.Path, System.Text.Json.JsonSerializer.Serialize(weights)));
        Assert.Contains(expected, e.Message);
        Assert.Contains("\"weights\"", e.Message);
    }

    [Fact]
    public void Weights_NotAString_AreRefused()
    {
        using var dir = new TempDirectory();
        Assert.Contains("must be a file name", Refused(Spec(dir.Path, "42")).Message);
    }

    [Fact]
    public void Weights_LinkLeadingOutOfTheFolder_IsRefused_ButALinkInsideLoads()
    {
        if (OperatingSystem.IsWindows()) return; // symbolic links need privileges there
        using var outside = new TempDirectory();
        using var dir = new TempDirectory();
        File.Copy(Fixture("small_cnn.safetensors"), outside.File("w.safetensors"));
        File.CreateSymbolicLink(dir.File("out.safetensors"), outside.File("w.safetensors"));
        Assert.Contains("leads outside", Refused(Spec(dir.Path, "\"out.safetensors\"")).Message);

        // A link through a linked folder is resolved too.
        Directory.CreateSymbolicLink(dir.File("linked"), outside.Path);
        Assert.Contains("leads outside", Refused(Spec(dir.Path, "\"linked/w.safetensors\"")).Message);

        File.CreateSymbolicLink(dir.File("zero.safetensors"), "/dev/zero");
        Assert.Contains("leads outside", Refused(Spec(dir.Path, "\"zero.safetensors\"")).Message);

        Directory.CreateDirectory(dir.File("sub"));
        File.Copy(Fixture("small_cnn.safetensors"), dir.File("sub/real.safetensors"));
        File.CreateSymbolicLink(dir.File("inside.safetensors"), "sub/real.safetensors");
        using var model = SequentialSpec.Load(Spec(dir.Path, "\"inside.safetensors\""));
        Assert.Equal(3, model.Info.Classes);
    }

    [Fact]
    public void Weights_ThatAreAFifoOrAFolder_AreRefusedWithoutOpeningThem()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("folder.safetensors"));
        Assert.Contains("not a regular file", Refused(Spec(dir.Path, "\"folder.safetensors\"")).Message);
        if (!OperatingSystem.IsLinux()) return;
        Assert.Equal(0, mkfifo(dir.File("pipe.safetensors"), 0x180));
        Assert.Contains("not a regular file", Refused(Spec(dir.Path, "\"pipe.safetensors\"")).Message);
    }

    [Fact]
    public void SafeTensorsHeaderLength_IsNotEchoedInTheMessage()
    {
        using var dir = new TempDirectory();
        byte[] secret = "hunter2!"u8.ToArray();
        File.WriteAllBytes(dir.File("w.safetensors"), [.. secret, .. new byte[16]]);
        var e = Refused(Spec(dir.Path, "\"w.safetensors\""));
        Assert.Contains("is not a valid safetensors file", e.Message);
        Assert.DoesNotContain(BinaryPrimitives.ReadUInt64LittleEndian(secret).ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message);
        Assert.DoesNotContain("hunter2", e.Message);
    }

    [Fact]
    public async Task ModelAndArrayFiles_ThatAreFifos_AreRefusedWithoutOpeningThem()
    {
        if (!OperatingSystem.IsLinux()) return;
        using var dir = new TempDirectory();
        foreach (string name in new[] { "m.pt", "m.onnx", "x.npy", "spec.json" })
            Assert.Equal(0, mkfifo(dir.File(name), 0x180));
        File.WriteAllText(dir.File("m.json"), "{\"input\": {\"channels\": 1, \"height\": 8, \"width\": 8}, \"classes\": 3}");
        foreach (var load in new Action[]
        {
            () => ModelLoader.Load(dir.File("m.pt")),
            () => ModelLoader.Load(dir.File("m.onnx")),
            () => Glassbox.IO.NpyFile.Read(dir.File("x.npy")),
            () => ModelLoader.Load(dir.File("spec.json")),
        })
        {
            // WaitAsync throws a TimeoutException if loading hangs on the FIFO.
            var e = await Task.Run(() => Assert.Throws<GlassboxException>(load)).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Contains("not a regular file", e.Message);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int mkfifo([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint mode);
}

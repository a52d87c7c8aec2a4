using System.Text.Json;
using Glassbox.Tests.App;
using Glassbox.Tests.IO;
using Xunit.Abstractions;

namespace Glassbox.Tests.Cli;

public class RoarCliTests(ITestOutputHelper output)
{
    private CliProcess.Result Run(TempDirectory dir, params string[] args)
    {
        var r = CliProcess.Run(dir.Path, ["benchmark", "--roar", .. args]);
        output.WriteLine(r.ToString());
        return r;
    }

    [Fact]
    public void BenchmarkRoar_PrintsTheTableAndTheLeakageWarning_AndWritesTheFolder()
    {
        using var dir = new TempDirectory();
        string data = RoarJobTests.OnePixelData(dir, 300, 100);
        var r = Run(dir, "--methods", "saliency", "--data", data, "--roar-images", "200", "--roar-test-images", "60", "--percentages", "10,50",
            "--epochs", "1", "-o", "out");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("0 % (unmodified)", r.StdOut);
        Assert.Contains("gap to random", r.StdOut);
        Assert.Contains("warning: ", r.StdOut);
        Assert.Contains("Rong et al. 2022", r.StdOut);
        var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir.Path, "out", "roar.json"))).RootElement;
        Assert.Equal(200, json.GetProperty("trainImages").GetInt32());
        Assert.Equal(60, json.GetProperty("testImages").GetInt32());
        Assert.Equal("random", json.GetProperty("curves")[1].GetProperty("method").GetString());
        Assert.True(File.Exists(Path.Combine(dir.Path, "out", "roar.png")));
        Assert.True(File.Exists(Path.Combine(dir.Path, "out", "roar.csv")));
    }

    [Theory]
    [InlineData(2, "--roar needs the methods", "--percentages 10")]
    [InlineData(2, "--percentages takes whole percentages", "--methods saliency --percentages 10,x")]
    [InlineData(2, "--percentages takes whole percentages", "--methods saliency --percentages 0,50")]
    [InlineData(2, "--roar-images must be at least 1", "--methods saliency --roar-images 0")]
    [InlineData(2, "--epochs must be at least 1", "--methods saliency --epochs 0")]
    [InlineData(2, "drop --stream, --evaluate", "--methods saliency --evaluate")]
    [InlineData(1, "Unknown method 'magic'", "--methods magic")]
    [InlineData(1, "is ROAR's own baseline", "--methods saliency,random")]
    [InlineData(1, "no-such-folder", "--methods saliency --data no-such-folder")]
    public void BenchmarkRoar_BadInput_IsOneLine_WithUsageOrDataExitCode(int exit, string message, string arguments)
    {
        using var dir = new TempDirectory();
        string data = RoarJobTests.OnePixelData(dir, 20, 10);
        var args = arguments.Split(' ').ToList();
        if (!args.Contains("--data")) args.AddRange(["--data", data]);
        args.AddRange(["-o", "out"]);
        var r = Run(dir, [.. args]);
        Assert.Equal(exit, r.ExitCode);
        Assert.Contains(message, r.All);
        Assert.DoesNotContain("   at ", r.All);
        Assert.False(File.Exists(Path.Combine(dir.Path, "out", "roar.json")));
    }

    [Fact]
    public void BenchmarkRoar_CorruptData_ExitsOne()
    {
        using var dir = new TempDirectory();
        string data = dir.File("bad");
        Directory.CreateDirectory(data);
        foreach (var name in new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" })
            File.WriteAllBytes(Path.Combine(data, name), [1, 2, 3]);
        var r = Run(dir, "--methods", "saliency", "--data", data, "-o", "out");
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("error:", r.StdOut.Trim());
        Assert.DoesNotContain("   at ", r.All);
    }
}

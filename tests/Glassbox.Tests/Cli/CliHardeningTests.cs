using System.Text.Json;
using Glassbox.App;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Tests.Data;
using Glassbox.Tests.IO;
using Glassbox.Tests.Training;
using Xunit.Abstractions;

namespace Glassbox.Tests.Cli;

/// <summary>Crafted command lines and run folders: one "error:" line, exit code 1, nothing written.</summary>
public class CliHardeningTests(ITestOutputHelper output)
{
    private static ModelInfo Mnist => new(Architecture.PooledCnn, 1, 28, 28, MnistFormat.DigitClassNames);

    private static (string Checkpoint, string Input) Setup(TempDirectory dir)
    {
        string ckpt = dir.File("ckpt");
        using (var model = new ImageClassifier(Mnist)) Checkpoint.Save(ckpt, model);
        NpyFile.Write(dir.File("x.npy"), SampleData.Test.Pixels.AsSpan(0, 2 * 784).ToArray(), [2, 28, 28]);
        return (ckpt, dir.File("x.npy"));
    }

    private string ErrorLine(TempDirectory dir, params string[] args)
    {
        var r = CliProcess.Run(dir.Path, args);
        output.WriteLine($"$ glassbox {string.Join(' ', args)}\n{r}");
        Assert.True(r.ExitCode == 1, r.ToString());
        Assert.DoesNotContain("   at ", r.All);
        var line = Assert.Single(r.All.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("error: ", line);
        return line;
    }

    [Fact]
    public void EmptyOut_ThreadsAboveTheLimit_AndHugeBackgrounds_AreOneLineErrors()
    {
        using var dir = new TempDirectory();
        var (ckpt, input) = Setup(dir);
        Assert.Contains("-o/--out is empty", ErrorLine(dir, "explain", "-m", ckpt, "-i", input, "-o", ""));
        Assert.Contains("-o/--out is empty", ErrorLine(dir, "train", "--max-train", "10", "--data", RepoPaths.MnistSample, "-o", ""));
        Assert.Contains("-o/--out is empty", ErrorLine(dir, "demo", "-o", ""));
        Assert.Contains($"at most {RunLimits.ThreadsPerCore * Environment.ProcessorCount}", ErrorLine(dir, "explain", "-m", ckpt, "-i", input, "--threads", "100000"));
        Assert.Contains("processor cores", ErrorLine(dir, "train", "--threads", "100000", "--data", RepoPaths.MnistSample, "-o", dir.File("m")));
        string bg = ErrorLine(dir, "explain", "-m", ckpt, "-i", input, "--background-size", "100000000", "-o", dir.File("out"));
        Assert.Contains("292.1 GB", bg);
        Assert.Contains("this process may use", bg);
        Assert.Contains("is not a class of this model", ErrorLine(dir, "explain", "-m", ckpt, "-i", input, "--target", "4294967299", "-o", dir.File("out")));
        Assert.False(Directory.Exists(dir.File("out")));
        Assert.False(Directory.Exists(dir.File("m")));
        Assert.False(Directory.Exists(dir.File("glassbox-explain")));
    }

    [Fact]
    public void Report_OnALinkToASecret_OrAnEmptyMetricsFile_IsAOneLineError()
    {
        using var dir = new TempDirectory();
        using var outside = new TempDirectory();
        File.WriteAllText(outside.File("shadow"), "root:$6$hash:::");
        string run = dir.File("run");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "metrics.json"), "{}");
        Assert.Contains("lacks settings", ErrorLine(dir, "report", run));
        File.Delete(Path.Combine(run, "metrics.json"));
        File.CreateSymbolicLink(Path.Combine(run, "metrics.json"), outside.File("shadow"));
        Assert.Contains("outside the run folder", ErrorLine(dir, "report", run));
        Assert.False(File.Exists(Path.Combine(run, "report.html")));
    }

    [Fact]
    public void Explain_PrintsNumbersInShortScientificStyle()
    {
        using var dir = new TempDirectory();
        var (ckpt, input) = Setup(dir);
        var r = CliProcess.Run(dir.Path, "explain", "-m", ckpt, "-i", input, "--method", "integrated-gradients", "--n-steps", "4", "--classes", "predicted", "-o", dir.File("ig"));
        output.WriteLine(r.ToString());
        Assert.Equal(0, r.ExitCode);
        Assert.Matches(@"max \|δ\| = -?\d\.\d\de[+-]\d+,", r.StdOut);
        Assert.DoesNotMatch(@"E[+-]0\d\d", r.StdOut);
        using var json = JsonDocument.Parse(File.ReadAllText(dir.File("ig/explanation.json")));
        Assert.Equal(2, json.RootElement.GetProperty("plotRows").GetInt32());
    }
}

using System.Text.Json;
using Glassbox.Tests.App;
using Glassbox.Tests.Data;
using Glassbox.Tests.IO;
using Xunit.Abstractions;

namespace Glassbox.Tests.Cli;

public class EvaluateCliTests(ITestOutputHelper output)
{
    private CliProcess.Result Run(TempDirectory dir, params string[] args)
    {
        var r = CliProcess.Run(dir.Path, ["evaluate", .. args]);
        output.WriteLine(r.ToString());
        return r;
    }

    [Fact]
    public void Evaluate_PrintsARankedTablePerMetric_AndWritesTheFolder()
    {
        using var dir = new TempDirectory();
        string ckpt = EvaluateTestSupport.Checkpoint(dir);
        var r = Run(dir, "-m", ckpt, "--methods", "saliency,input-x-gradient", "--metrics", "sparseness,completeness,top-fraction-overlap", "-n", "4",
            "--bootstrap", "100", "--data", RepoPaths.MnistSample, "-o", "out");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("sparseness (complexity, higher is better)", r.StdOut);
        Assert.Contains("completeness (axiomatic, lower is better)", r.StdOut);
        Assert.Contains("top-fraction-overlap (agreement between methods)", r.StdOut);
        Assert.Contains("saliency vs input-x-gradient", r.StdOut);
        Assert.Contains("95 % CI", r.StdOut);
        Assert.Contains("evaluation.html", r.StdOut);
        var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir.Path, "out", "evaluation.json"))).RootElement;
        Assert.Equal(4, json.GetProperty("rows").GetArrayLength());
        Assert.Equal(4, json.GetProperty("settings").GetProperty("images").GetInt32());
    }

    [Theory]
    [InlineData(1, "Unknown metric 'flatness'", "--metrics", "flatness")]
    [InlineData(1, "--metric-option 'steps' must look like metric.flag=value", "--metric-option", "steps")]
    [InlineData(1, "Unknown method 'magic'", "--methods", "magic")]
    [InlineData(2, "Unknown option '--n-steps'", "--n-steps", "4")]
    public void Evaluate_BadArguments_AreOneLineAndTheCliExitCode(int exit, string message, string flag, string value)
    {
        using var dir = new TempDirectory();
        string ckpt = EvaluateTestSupport.Checkpoint(dir);
        var args = new List<string> { "-m", ckpt, "--data", RepoPaths.MnistSample, "-n", "2", "-o", "out" };
        if (flag != "--methods") args.AddRange(["--methods", "saliency"]);
        args.AddRange([flag, value]);
        var r = Run(dir, [.. args]);
        Assert.Equal(exit, r.ExitCode);
        Assert.Contains(message, r.All);
        Assert.DoesNotContain("   at ", r.All);
        Assert.False(File.Exists(Path.Combine(dir.Path, "out", "evaluation.json")));
    }
}

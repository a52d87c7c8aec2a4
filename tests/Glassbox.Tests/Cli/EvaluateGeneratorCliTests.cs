using System.Text.Json;
using Glassbox.Tests.App;
using Glassbox.Tests.Data;
using Glassbox.Tests.IO;
using Glassbox.Tests.Training;
using Xunit.Abstractions;

namespace Glassbox.Tests.Cli;

[Collection(SerialCollection.Name)]
public class EvaluateGeneratorCliTests(ITestOutputHelper output)
{
    private CliProcess.Result Run(TempDirectory dir, params string[] args)
    {
        var r = CliProcess.Run(dir.Path, ["evaluate-generator", .. args]);
        output.WriteLine(r.ToString());
        return r;
    }

    [Fact]
    public void PrintsTheTableWithFloors_AndWritesTheJson()
    {
        using var dir = new TempDirectory();
        var r = Run(dir, "-m", EvaluateGeneratorSupport.Generator(dir), "--classifier", EvaluateGeneratorSupport.Classifier(dir),
            "--data", RepoPaths.MnistSample, "-n", "30", "--seed", "2", "-o", "out");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("Real-vs-real floor", r.StdOut);
        Assert.Contains("inception-score", r.StdOut);
        Assert.Contains("±", r.StdOut);
        var json = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(dir.Path, "out", "evaluate-generator.json"))).RootElement;
        Assert.Equal(30, json.GetProperty("settings").GetProperty("n").GetInt32());
        Assert.Equal(2, json.GetProperty("settings").GetProperty("seed").GetInt32());
    }

    [Fact]
    public void WithoutClassifier_ExitsWithAClearMessage()
    {
        using var dir = new TempDirectory();
        var r = Run(dir, "-m", EvaluateGeneratorSupport.Generator(dir), "--data", RepoPaths.MnistSample, "-o", "out");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("--classifier", r.StdOut + r.StdErr);
        Assert.Contains("glassbox train", r.StdOut + r.StdErr);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "out")));
    }
}

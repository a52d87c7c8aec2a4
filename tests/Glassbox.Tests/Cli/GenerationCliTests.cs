using Glassbox.Tests.App;
using Glassbox.Tests.IO;
using Glassbox.Tests.Training;
using Xunit.Abstractions;

namespace Glassbox.Tests.Cli;

[Collection(SerialCollection.Name)]
public class GenerationCliTests(ITestOutputHelper output)
{
    private CliProcess.Result Run(TempDirectory dir, params string[] args)
    {
        var r = CliProcess.Run(dir.Path, args);
        output.WriteLine(r.ToString());
        return r;
    }

    [Fact]
    public void Generate_ExitCodes()
    {
        using var dir = new TempDirectory();
        string g = GenerationJobTests.Train(dir, "vae", "g");
        var ok = Run(dir, "generate", "-m", g, "-n", "3", "--seed", "1", "-o", "out");
        Assert.Equal(0, ok.ExitCode);
        Assert.True(File.Exists(Path.Combine(dir.Path, "out", "samples.npy")));

        var r = Run(dir, "generate", "-m", g, "--class", "2", "-o", "x");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("unconditional", r.All);
        Assert.Single(r.StdErr.Trim().Split('\n'));
        Assert.Equal(1, Run(dir, "generate", "-m", g, "-n", "0", "-o", "x").ExitCode);
        Assert.Equal(1, Run(dir, "generate", "-m", "nope", "-o", "x").ExitCode);
        Assert.Equal(2, Run(dir, "generate", "-o", "x").ExitCode);
        Assert.Equal(2, Run(dir, "generate", "-m", g, "-n", "many").ExitCode);
        Assert.Equal(1, Run(dir, "train-generator", "--kind", "gan").ExitCode);
        Assert.Equal(2, Run(dir, "train-generator", "--kinds", "vae").ExitCode);
    }
}

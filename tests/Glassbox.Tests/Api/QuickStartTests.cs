using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Tests.Data;
using Glassbox.Tests.IO;
using Glassbox.Tests.Training;
using Xunit.Abstractions;

namespace Glassbox.Tests.Api;

/// <summary>The README's C# example is examples/QuickStart/Program.cs, and it builds (with the suite) and runs.</summary>
public class QuickStartTests(ITestOutputHelper output)
{
    private static string ProgramFile => Path.Combine(RepoPaths.Root, "examples", "QuickStart", "Program.cs");

    private static string Normalize(string text) => text.Replace("\r\n", "\n").Trim();

    [Fact]
    public void ReadmeExample_IsTheQuickStartProgram()
    {
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        int section = readme.IndexOf("## Use it from C#", StringComparison.Ordinal);
        Assert.True(section >= 0, "README has no 'Use it from C#' section");
        var block = Regex.Match(readme[section..], "```csharp\n(.*?)```", RegexOptions.Singleline);
        Assert.True(block.Success, "the section has no ```csharp block");
        Assert.Equal(Normalize(File.ReadAllText(ProgramFile)), Normalize(block.Groups[1].Value));
        int lines = Normalize(block.Groups[1].Value).Split('\n').Count(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith("//") && !l.StartsWith("using Glassbox"));
        Assert.InRange(lines, 5, 10);
    }

    [Fact]
    public async Task QuickStart_RunsAgainstADemoLayout_AndWritesItsPlot()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("glassbox-out"));
        using (var model = new ImageClassifier(new ModelInfo(Architecture.PooledCnn, 1, 28, 28, MnistFormat.DigitClassNames)))
            Checkpoint.Save(dir.File("glassbox-out/model-a"), model);
        NpyFile.Write(dir.File("glassbox-out/inputs.npy"), SampleData.Test.Pixels.AsSpan(0, 3 * 784).ToArray(), [3, 1, 28, 28]);

        string dll = Path.Combine(AppContext.BaseDirectory, "QuickStart.dll");
        Assert.True(File.Exists(dll), $"{dll} not found; build the solution first.");
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = dir.Path, RedirectStandardOutput = true, RedirectStandardError = true, StandardOutputEncoding = Encoding.UTF8 };
        psi.ArgumentList.Add(dll);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var p = Process.Start(psi)!;
        var stdoutTask = p.StandardOutput.ReadToEndAsync();
        var stderrTask = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await p.WaitForExitAsync(timeout.Token);
        string stdout = await stdoutTask, stderr = await stderrTask;
        output.WriteLine(stdout + stderr);
        Assert.True(p.ExitCode == 0, stdout + stderr);
        Assert.Matches(@"^IntegratedGradients: 3 images × 2 classes, max \|δ\| = \d\.\dE[-+]\d+", stdout.Trim());
        var png = File.ReadAllBytes(dir.File("quickstart.png"));
        Assert.True(png.Length > 1000 && png[1] == (byte)'P' && png[2] == (byte)'N' && png[3] == (byte)'G', "quickstart.png is not a PNG");
    }
}

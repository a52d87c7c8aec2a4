using System.Diagnostics;
using System.Text;

namespace Glassbox.Tests.Cli;

/// <summary>Runs the built CLI (Glassbox.Cli.dll, copied next to the tests by the project reference) as a child process.</summary>
public static class CliProcess
{
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "Glassbox.Cli.dll");

    public sealed record Result(int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed)
    {
        public string All => StdOut + StdErr;

        public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:F1} s\n--- stdout ---\n{StdOut}\n--- stderr ---\n{StdErr}";
    }

    public static Result Run(string workingDirectory, params string[] args)
    {
        Assert.True(File.Exists(CliDll), $"{CliDll} not found; build the solution first.");
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(CliDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["NO_COLOR"] = "1";

        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"glassbox {string.Join(' ', args)} did not finish within 120 s");
        }
        p.WaitForExit();
        return new Result(p.ExitCode, stdout.Result, stderr.Result, sw.Elapsed);
    }
}

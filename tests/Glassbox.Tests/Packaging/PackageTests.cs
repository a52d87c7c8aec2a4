using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Glassbox.Engine;
using Glassbox.Tests.Data;
using Glassbox.Tests.IO;
using Xunit.Abstractions;

namespace Glassbox.Tests.Packaging;

/// <summary>
/// dotnet pack makes the Glassbox library and the Glassbox.Cli tool with metadata, README, licence and symbols; the tool
/// installs from a local feed into a temporary folder and runs (issue 13 §2). Packs the build the suite was run on (--no-build).
/// </summary>
public class PackageTests(ITestOutputHelper output)
{
    private sealed record Run(int ExitCode, string Text, TimeSpan Elapsed);

    private Run Exec(string workingDirectory, string program, params string[] args)
    {
        var psi = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8, StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["NO_COLOR"] = "1";
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(12)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"{program} {string.Join(' ', args)} did not finish within 12 minutes");
        }
        p.WaitForExit();
        var run = new Run(p.ExitCode, stdout.Result + stderr.Result, clock.Elapsed);
        output.WriteLine($"$ {program} {string.Join(' ', args)}  [{run.Elapsed.TotalSeconds:F1} s, exit {run.ExitCode}]");
        return run;
    }

    private static string Entry(ZipArchive zip, string suffix)
    {
        var entry = zip.Entries.Single(e => e.FullName.EndsWith(suffix, StringComparison.Ordinal));
        using var reader = new StreamReader(entry.Open());
        return reader.ReadToEnd();
    }

    [Fact]
    public void Pack_MakesLibraryAndTool_WithMetadataAndSymbols_AndTheInstalledToolRuns()
    {
        using var dir = new TempDirectory();
        string feed = dir.File("feed");
        var lib = Exec(RepoPaths.Root, "dotnet", "pack", "src/Glassbox/Glassbox.csproj", "-c", "Release", "--no-build", "-o", feed);
        Assert.True(lib.ExitCode == 0, lib.Text);
        var tool = Exec(RepoPaths.Root, "dotnet", "pack", "src/Glassbox.Cli/Glassbox.Cli.csproj", "-c", "Release", "--no-build", "-o", feed);
        Assert.True(tool.ExitCode == 0, tool.Text);
        foreach (var f in Directory.GetFiles(feed).Order())
            output.WriteLine($"{Path.GetFileName(f)}: {new FileInfo(f).Length / 1e6:F1} MB");

        string libPackage = Directory.GetFiles(feed, "Glassbox.*.nupkg").Single(f => !Path.GetFileName(f).StartsWith("Glassbox.Cli.", StringComparison.Ordinal));
        string toolPackage = Assert.Single(Directory.GetFiles(feed, "Glassbox.Cli.*.nupkg"));
        Assert.True(File.Exists(Path.ChangeExtension(libPackage, ".snupkg")), "no library symbols package");
        Assert.True(File.Exists(Path.ChangeExtension(toolPackage, ".snupkg")), "no tool symbols package");
        using (var zip = ZipFile.OpenRead(Path.ChangeExtension(libPackage, ".snupkg")))
            Assert.Contains(zip.Entries, e => e.FullName == "lib/net10.0/Glassbox.pdb");

        using (var zip = ZipFile.OpenRead(libPackage))
        {
            var names = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("lib/net10.0/Glassbox.dll", names);
            Assert.Contains("lib/net10.0/Glassbox.xml", names); // XML docs for IntelliSense
            Assert.Contains("README.md", names);
            Assert.Contains("LICENSE", names);
            string nuspec = Entry(zip, ".nuspec");
            Assert.Contains("<id>Glassbox</id>", nuspec);
            Assert.Contains("<authors>Glassbox contributors</authors>", nuspec);
            Assert.Contains("<license type=\"expression\">MIT</license>", nuspec);
            Assert.Contains("<readme>README.md</readme>", nuspec);
            Assert.Contains("<description>Explain image classifiers in .NET", nuspec);
            Assert.Contains("id=\"TorchSharp-cpu\"", nuspec); // the cpu backend by default
            Assert.DoesNotContain("Glassbox.App", nuspec);
        }
        using (var zip = ZipFile.OpenRead(toolPackage))
        {
            var names = zip.Entries.Select(e => e.FullName).ToHashSet();
            Assert.Contains("tools/net10.0/any/Glassbox.Cli.dll", names);
            Assert.Contains("tools/net10.0/any/Glassbox.App.dll", names);
            Assert.Contains("tools/net10.0/any/runtimes/linux-x64/native/libtorch_cpu.so", names);
            Assert.DoesNotContain(names, n => n.StartsWith("tools/net10.0/any/runtimes/", StringComparison.Ordinal) && n.EndsWith(".pdb", StringComparison.Ordinal));
            Assert.DoesNotContain(names, n => n.StartsWith("tools/net10.0/any/runtimes/ios/", StringComparison.Ordinal) || n.StartsWith("tools/net10.0/any/runtimes/android/", StringComparison.Ordinal));
            Assert.Contains("README.md", names);
            Assert.Contains("LICENSE", names);
            string nuspec = Entry(zip, ".nuspec");
            Assert.Contains("<packageType name=\"DotnetTool\" />", nuspec);
            Assert.Contains("<license type=\"expression\">MIT</license>", nuspec);
            Assert.Contains("<Command Name=\"glassbox\" EntryPoint=\"Glassbox.Cli.dll\"", Entry(zip, "DotnetToolSettings.xml"));
        }

        // Install from the local feed only (no other source is asked) into a temporary tool path, and run it.
        File.WriteAllText(dir.File("nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration><packageSources><clear /><add key="local" value="{feed}" /></packageSources></configuration>
            """);
        var install = Exec(dir.Path, "dotnet", "tool", "install", "Glassbox.Cli", "--tool-path", dir.File("tools"), "--configfile", dir.File("nuget.config"));
        Assert.True(install.ExitCode == 0, install.Text);
        string glassbox = dir.File(OperatingSystem.IsWindows() ? "tools/glassbox.exe" : "tools/glassbox");
        var methods = Exec(dir.Path, glassbox, "methods");
        Assert.True(methods.ExitCode == 0, methods.Text);
        Assert.Contains("deep-shap", methods.Text);
        Assert.Contains("integrated-gradients", methods.Text);

        // The installed (cpu) tool refuses the cuda device with one line saying how to build for CUDA.
        var cuda = Exec(dir.Path, glassbox, "explain", "--device", "cuda", "-m", "model", "-i", "x.npy");
        Assert.True(cuda.ExitCode == 1, cuda.Text);
        string line = Assert.Single(cuda.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains("-p:GlassboxBackend=cuda", line);
        output.WriteLine($"pack library {lib.Elapsed.TotalSeconds:F0} s, pack tool {tool.Elapsed.TotalSeconds:F0} s, install {install.Elapsed.TotalSeconds:F0} s, glassbox methods {methods.Elapsed.TotalSeconds:F1} s");
    }

    [Fact]
    public void CpuBuild_RefusesTheCudaDevice_WithOneLineSayingHowToBuildForCuda()
    {
        Assert.Equal("cpu", TorchContext.Backend);
        foreach (var device in new[] { "cuda", "cuda:1", "CUDA" })
        {
            var e = Assert.Throws<GlassboxException>(() => TorchContext.ResolveDevice(device));
            Assert.Contains("-p:GlassboxBackend=cuda", e.Message);
            Assert.Contains("--device cpu", e.Message);
            Assert.DoesNotContain('\n', e.Message);
        }
        Assert.Equal(TorchSharp.DeviceType.CPU, TorchContext.ResolveDevice("auto").type);
    }
}

using System.Text.Json;
using Glassbox.Tests.IO;

namespace Glassbox.Tests.Cli;

/// <summary>`glassbox methods`: the schema as JSON, one method's options, and a layout that fits 80 columns.</summary>
public class MethodsCommandTests
{
    [Fact]
    public void Json_HasEveryMethodWithItsOptionSchema()
    {
        using var dir = new TempDirectory();
        var r = CliProcess.Run(dir.Path, "methods", "--json");
        Assert.True(r.ExitCode == 0, r.ToString());
        using var doc = JsonDocument.Parse(r.StdOut);
        var methods = doc.RootElement.GetProperty("methods").EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!);
        Assert.Equal(Glassbox.Attribution.Catalog.MethodCatalog.Default.Entries.Count, methods.Count);
        var steps = methods["integrated-gradients"].GetProperty("options").EnumerateArray().Single(o => o.GetProperty("flag").GetString() == "n-steps");
        Assert.Equal("50", steps.GetProperty("default").GetString());
        Assert.Equal("n_steps", steps.GetProperty("reference").GetString());
        Assert.Equal(1, steps.GetProperty("min").GetDouble());
        Assert.Equal("layers", methods["deep-shap"].GetProperty("requires").GetString());
        Assert.Contains(doc.RootElement.GetProperty("noiseTunnel").EnumerateArray(), o => o.GetProperty("flag").GetString() == "nt-type");
    }

    [Fact]
    public void OneMethod_ListsItsOptions_AndTheListFitsEightyColumns()
    {
        using var dir = new TempDirectory();
        var r = CliProcess.Run(dir.Path, "methods", "kernel-shap");
        Assert.True(r.ExitCode == 0, r.ToString());
        foreach (var s in new[] { "--n-samples", "nsamples", "2·features + 2048", "--feature-mask", "--spread", "--nt-type" }) Assert.Contains(s, r.StdOut);
        var list = CliProcess.Run(dir.Path, "methods"); // redirected output: 80 columns
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.All(list.StdOut.Split('\n'), line => Assert.True(line.Length <= 80, line));
        Assert.Contains("integrated-gradients", list.StdOut);
    }
}

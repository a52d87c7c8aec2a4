using System.Text.Json;
using Glassbox.App;
using Glassbox.Metrics.Axiomatic;
using Glassbox.Metrics.Faithfulness;
using Glassbox.Tests.IO;
using Glassbox.Training;

namespace Glassbox.Tests.App;

public class ReportSafetyTests
{
    private static readonly byte[] Png = [0x89, (byte)'P', (byte)'N', (byte)'G', 13, 10, 26, 10, 1, 2, 3, 4];

    private static RunMetrics Metrics(IReadOnlyDictionary<string, string>? files = null, IReadOnlyList<string>? classNames = null,
        double[]? expected = null, IReadOnlyList<EpochMetrics>? epochs = null)
    {
        var deletion = new DeletionResult([0, 1], [1, 0], [1, 0.5], 0.5, 0.75, 1, 2);
        var history = new TrainingHistory(epochs ?? [new EpochMetrics(1, 0.5, 0.8, 0.6, 0.7, 1, 100)], false, new TrainingOptions());
        var additivity = new CompletenessReport(2, 1.26e-5, 1e-5, 1e-5, 1.2e-5, 1e-6, 0, 1e-4);
        return new RunMetrics(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DemoOptions(),
            new RuntimeSummary("cpu", 1, "glibc", false, "0.107"),
            new DataSummary("data", 10, 4, 8, 2, classNames ?? ["zero", "one"], 1, 28, 28),
            [new ModelSummary("A", "model-a", "all", 10, 0.9, 0.8, history)],
            new DeepShapSummary(8, "logits", [0, 1], [0, 1], [0, 1], expected ?? [0.1, 0.2], additivity, 2, 1),
            new ReliabilitySummary(2, "true label", 0.5, 0.5, 0.3, 0.1, additivity, additivity, deletion, deletion, 1),
            files ?? new Dictionary<string, string> { ["imagePlot"] = "image_plot.png" }, 3);
    }

    private static void WriteMetrics(string folder, RunMetrics m)
        => File.WriteAllText(Path.Combine(folder, "metrics.json"), JsonSerializer.Serialize(m, AppJson.Options));

    [Fact]
    public void Report_EmbedsTheFoldersOwnFigure_AndPrintsNumbersInShortScientificStyle()
    {
        using var dir = new TempDirectory();
        File.WriteAllBytes(dir.File("image_plot.png"), Png);
        WriteMetrics(dir.Path, Metrics());
        string html = File.ReadAllText(ReportBuilder.Rebuild(dir.Path));
        Assert.Contains(Convert.ToBase64String(Png), html);
        Assert.Contains("1.26e-5", html);
        Assert.DoesNotContain("E-00", html);
    }

    [Fact]
    public void Report_RefusesAFigureThatLinksOutOfTheRunFolder_AndWritesNothing()
    {
        using var dir = new TempDirectory();
        using var outside = new TempDirectory();
        File.WriteAllText(outside.File("secret"), "root:$6$secret-hash:19000:0:99999:7:::");
        File.CreateSymbolicLink(dir.File("image_plot.png"), outside.File("secret"));
        WriteMetrics(dir.Path, Metrics());
        var e = Assert.Throws<GlassboxException>(() => ReportBuilder.Rebuild(dir.Path));
        Assert.Contains("outside the run folder", e.Message);
        Assert.False(File.Exists(dir.File("report.html")));
    }

    [Fact]
    public void Report_RefusesALinkedSubfolderOutOfTheRunFolder()
    {
        using var dir = new TempDirectory();
        using var outside = new TempDirectory();
        File.WriteAllBytes(outside.File("image_plot.png"), Png);
        Directory.CreateSymbolicLink(dir.File("sub"), outside.Path);
        Assert.Contains("outside the run folder", Assert.Throws<GlassboxException>(() => RunFolderFiles.Read(dir.Path, "sub/image_plot.png")).Message);
        Assert.Throws<GlassboxException>(() => RunFolderFiles.Read(dir.Path, "../x.png"));
        Assert.Throws<GlassboxException>(() => RunFolderFiles.Read(dir.Path, "/etc/passwd"));
    }

    [Fact]
    public void Report_FollowsALinkThatStaysInsideTheRunFolder()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("figures"));
        File.WriteAllBytes(dir.File("figures/plot.png"), Png);
        File.CreateSymbolicLink(dir.File("image_plot.png"), "figures/plot.png");
        WriteMetrics(dir.Path, Metrics());
        Assert.Contains(Convert.ToBase64String(Png), File.ReadAllText(ReportBuilder.Rebuild(dir.Path)));
    }

    [Fact]
    public void Report_RefusesAPipeInsteadOfAFigure()
    {
        if (OperatingSystem.IsWindows()) return;
        using var dir = new TempDirectory();
        using (var p = System.Diagnostics.Process.Start("mkfifo", dir.File("image_plot.png"))) p.WaitForExit();
        Assert.True(File.Exists(dir.File("image_plot.png")));
        WriteMetrics(dir.Path, Metrics());
        Assert.Contains("not a regular file", Assert.Throws<GlassboxException>(() => ReportBuilder.Rebuild(dir.Path)).Message);
    }

    [Fact]
    public void Report_LinksOnlyHttpAndRelativeFiles_AndEscapesText()
    {
        using var dir = new TempDirectory();
        var files = new Dictionary<string, string>
        {
            ["evil"] = "javascript:alert(document.cookie)",
            ["evil2"] = " JavaScript:alert(1)",
            ["data"] = "data:text/html;base64,PHNjcmlwdD4=",
            ["abs"] = "/etc/shadow",
            ["up"] = "../../etc/shadow",
            ["<script>alert(1)</script>"] = "attributions.npy",
            ["web"] = "https://example.org/x",
        };
        WriteMetrics(dir.Path, Metrics(files, classNames: ["<img src=x onerror=alert(1)>", "one"]));
        string html = File.ReadAllText(ReportBuilder.Rebuild(dir.Path));
        Assert.DoesNotContain("href=\"javascript", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\" JavaScript", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"data:", html);
        Assert.DoesNotContain("href=\"/etc/shadow\"", html);
        Assert.DoesNotContain("href=\"../../etc/shadow\"", html);
        Assert.Contains("<code>javascript:alert(document.cookie)</code>", html);
        Assert.Contains("href=\"attributions.npy\"", html);
        Assert.Contains("href=\"https://example.org/x\"", html);
        Assert.DoesNotContain("<script>", html);
        Assert.DoesNotContain("<img src=x", html);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", html);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("null")]
    [InlineData("{\"models\": [null]}")]
    public void Report_OnIncompleteMetrics_IsAClearError(string json)
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.File("metrics.json"), json);
        var e = Assert.Throws<GlassboxException>(() => ReportBuilder.Rebuild(dir.Path));
        Assert.Contains("metrics.json", e.Message);
        Assert.Contains("glassbox demo", e.Message);
        Assert.False(File.Exists(dir.File("report.html")));
    }

    [Fact]
    public void Report_WithEmptyHistory_NullClassNames_AndMoreExpectedValuesThanClasses_OmitsWhatIsMissing()
    {
        using var dir = new TempDirectory();
        WriteMetrics(dir.Path, Metrics(classNames: null, expected: [0.1, 0.2, 0.3], epochs: []) with { Data = Metrics().Data with { ClassNames = null! } });
        string html = File.ReadAllText(ReportBuilder.Rebuild(dir.Path));
        Assert.Contains("<td>2</td><td class=\"num\">0.3000</td>", html);
        Assert.Contains("n/a", html);

        using var dir2 = new TempDirectory();
        WriteMetrics(dir2.Path, Metrics(classNames: ["zero"], expected: [0.1, 0.2]));
        string html2 = File.ReadAllText(ReportBuilder.Rebuild(dir2.Path));
        Assert.Contains("<td>zero</td>", html2);
        Assert.Contains("<td>1</td><td class=\"num\">0.2000</td>", html2);
    }
}

using System.Text.Json;
using Glassbox.App;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Tests.Data;
using Glassbox.Tests.IO;
using Glassbox.Tests.Training;

namespace Glassbox.Tests.App;

public class ExplainChecksTests
{
    private static (string Checkpoint, string Input) Setup(TempDirectory dir)
    {
        string ckpt = dir.File("ckpt");
        using (var model = new ImageClassifier(new ModelInfo(Architecture.PooledCnn, 1, 28, 28, MnistFormat.DigitClassNames))) Checkpoint.Save(ckpt, model);
        NpyFile.Write(dir.File("x.npy"), SampleData.Test.Pixels.AsSpan(0, 3 * 784).ToArray(), [3, 28, 28]);
        return (ckpt, dir.File("x.npy"));
    }

    [Fact]
    public void ExplainWithChecks_IntegratedGradients_WritesDeletionAndConvergenceChecks()
    {
        using var dir = new TempDirectory();
        var (ckpt, input) = Setup(dir);
        string outDir = dir.File("out");
        var r = ExplainJob.Run(new ExplainRequest(ckpt, input, outDir, RepoPaths.MnistSample, "integrated-gradients",
            new Dictionary<string, string> { ["--n-steps"] = "8" }, Classes: "all", Checks: true));
        var checks = Assert.IsType<ReliabilityChecks>(r.Checks);
        Assert.Equal("integrated-gradients", checks.Method);
        // Every class is explained, so each input's deletion follows the map of its predicted class.
        Assert.Equal(r.Predictions, checks.DeletionTargets);
        Assert.Equal(3, checks.Deletion.Images);
        Assert.Equal(checks.Deletion.RandomCurve[0], checks.Deletion.AttributionCurve[0], 12); // both start unperturbed
        // IG's completeness error is a convergence delta: reported, never a failure.
        Assert.False(checks.AdditivityGuaranteed);
        Assert.NotNull(checks.Additivity);
        Assert.True(checks.AdditivityHolds);

        foreach (var key in new[] { "checks", "deletionCurves", "additivityErrors", "attributions", "imagePlot", "summary" })
            Assert.True(File.Exists(Path.Combine(outDir, r.Files[key])), key);
        Assert.Equal("checks.json", r.Files["checks"]);
        Assert.Equal("deletion_curves.png", r.Files["deletionCurves"]);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "checks.json")));
        var deletion = json.RootElement.GetProperty("deletion");
        Assert.Equal(checks.Deletion.AttributionAuc, deletion.GetProperty("attributionAuc").GetDouble(), 12);
        Assert.Equal(checks.Deletion.RandomAuc, deletion.GetProperty("randomAuc").GetDouble(), 12);
        Assert.Equal(r.Predictions, json.RootElement.GetProperty("deletionTargets").EnumerateArray().Select(v => v.GetInt32()));
    }

    [Fact]
    public void ExplainWithChecks_Saliency_HasNoAdditivity_AndChecksTheExplainedClass()
    {
        using var dir = new TempDirectory();
        var (ckpt, input) = Setup(dir);
        string outDir = dir.File("out");
        var r = ExplainJob.Run(new ExplainRequest(ckpt, input, outDir, RepoPaths.MnistSample, "saliency", Classes: "4", Checks: true));
        var checks = Assert.IsType<ReliabilityChecks>(r.Checks);
        Assert.Null(checks.Additivity);
        Assert.True(checks.AdditivityHolds);
        Assert.Equal([4, 4, 4], checks.DeletionTargets);
        Assert.True(File.Exists(Path.Combine(outDir, "deletion_curves.png")));
        Assert.False(File.Exists(Path.Combine(outDir, "additivity_errors.png")));
        Assert.False(r.Files.ContainsKey("additivityErrors"));
    }

    [Fact]
    public void ExplainWithoutChecks_WritesNoCheckFiles()
    {
        using var dir = new TempDirectory();
        var (ckpt, input) = Setup(dir);
        string outDir = dir.File("out");
        var r = ExplainJob.Run(new ExplainRequest(ckpt, input, outDir, RepoPaths.MnistSample, "saliency", Classes: "predicted"));
        Assert.Null(r.Checks);
        Assert.False(File.Exists(Path.Combine(outDir, "checks.json")));
        Assert.False(File.Exists(Path.Combine(outDir, "deletion_curves.png")));
    }
}

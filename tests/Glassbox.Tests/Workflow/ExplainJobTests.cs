using System.Text.Json;
using Glassbox.Attribution;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Benchmarking;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Tests.Data;
using Glassbox.Tests.IO;
using Glassbox.Tests.Training;
using Glassbox.App;
using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.Gradient;
using TorchSharp;

namespace Glassbox.Tests.Workflow;

public class ExplainJobTests
{
    private static ModelInfo Mnist => new(Architecture.PooledCnn, 1, 28, 28, MnistFormat.DigitClassNames);

    private static (string Checkpoint, string Input) Setup(TempDirectory dir)
    {
        string ckpt = dir.File("ckpt");
        using (var model = new ImageClassifier(Mnist)) Checkpoint.Save(ckpt, model);
        NpyFile.Write(dir.File("x.npy"), SampleData.Test.Pixels.AsSpan(0, 2 * 784).ToArray(), [2, 28, 28]);
        return (ckpt, dir.File("x.npy"));
    }

    [Theory]
    [InlineData("integrated-gradients", "--n-steps", "8")]
    [InlineData("occlusion", "--sliding-window", "7,7")]
    [InlineData("kernel-shap", "--feature-mask", "grid:7")]
    public void Explain_AnyMethod_WritesAttributionsAndMeaningfulSettings(string method, string option, string value)
    {
        using var dir = new TempDirectory();
        var (ckpt, input) = Setup(dir);
        string outDir = dir.File("out");
        var r = ExplainJob.Run(new ExplainRequest(ckpt, input, outDir, RepoPaths.MnistSample, method,
            new Dictionary<string, string> { [option] = value }, Classes: "predicted"));
        var a = NpyFile.Read(Path.Combine(outDir, "attributions.npy"));
        Assert.Equal([2, 1, 1, 28, 28], a.Shape);
        Assert.Equal(r.Explanation.Values, a.ToFloat32());
        Assert.True(File.Exists(Path.Combine(outDir, "image_plot.png")));
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "explanation.json")));
        Assert.Equal(method, json.RootElement.GetProperty("method").GetString());
        string settings = json.RootElement.GetProperty("settings").GetRawText();
        Assert.NotEqual("{}", settings);
        // The option given shows up in the recorded settings.
        Assert.Contains(value.Split(':').Last().Split(',')[0], settings);
    }

    [Fact]
    public void Explain_WithNoiseTunnel_RecordsTheTunnelAndTheWrappedMethodsSettings()
    {
        using var dir = new TempDirectory();
        var (ckpt, input) = Setup(dir);
        string outDir = dir.File("out");
        var r = ExplainJob.Run(new ExplainRequest(ckpt, input, outDir, RepoPaths.MnistSample, "integrated-gradients",
            new Dictionary<string, string> { ["--n-steps"] = "7", ["--nt-type"] = "smoothgrad", ["--nt-samples"] = "3", ["--nt-stdevs"] = "0.1" }, Classes: "predicted"));
        Assert.StartsWith("NoiseTunnel[smoothgrad]", r.Explanation.Method);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "explanation.json")));
        var settings = json.RootElement.GetProperty("settings");
        Assert.Equal(3, settings.GetProperty("Tunnel").GetProperty("Samples").GetInt32());
        Assert.Equal(7, settings.GetProperty("Method").GetProperty("NSteps").GetInt32());
    }

    [Fact]
    public void Explain_OptionTheMethodDoesNotRead_IsAnError()
    {
        using var dir = new TempDirectory();
        var (ckpt, input) = Setup(dir);
        var e = Assert.Throws<GlassboxException>(() => ExplainJob.Run(new ExplainRequest(ckpt, input, dir.File("out"), RepoPaths.MnistSample, "occlusion",
            new Dictionary<string, string> { ["--n-steps"] = "5" })));
        Assert.Contains("--n-steps does not apply to occlusion", e.Message);
        Assert.Contains("--sliding-window", e.Message);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public void Explain_TargetFromNpy_ExplainsThoseClasses_AndDeepShapKeepsItsFiles()
    {
        using var dir = new TempDirectory();
        var (ckpt, input) = Setup(dir);
        NpyFile.Write(dir.File("t.npy"), new long[] { 3, 7 }, [2]);
        string outDir = dir.File("out");
        var r = ExplainJob.Run(new ExplainRequest(ckpt, input, outDir, RepoPaths.MnistSample, "deep-shap", BackgroundSize: 5, Target: dir.File("t.npy")));
        Assert.Equal([3, 7], r.Explanation.Targets);
        Assert.True(r.Additivity!.Holds);
        Assert.True(File.Exists(Path.Combine(outDir, "shap_values.npy")));
        Assert.True(File.Exists(Path.Combine(outDir, "expected_value.npy")));
        Assert.True(File.Exists(Path.Combine(outDir, "force_plot.html")));
    }

    [Fact]
    public void Parser_ReadsBaselinesMasksListsAndTargets_AndRejectsBadValues()
    {
        var info = Mnist;
        var ctx = new OptionContext(info, torch.CPU);
        Assert.Equal("zeros", OptionValues.ParseBaselines("zeros", ctx).Describe());
        Assert.Equal("constant 0.5", OptionValues.ParseBaselines("constant:0.5", ctx).Describe());
        Assert.Equal("blur (sigma 2)", OptionValues.ParseBaselines("blur:2", ctx).Describe());
        Assert.IsType<GridMask>(OptionValues.ParseFeatureMask("grid:4", ctx));
        Assert.Equal(new SlicMask(30, 5), OptionValues.ParseFeatureMask("slic:30,5", ctx));
        Assert.Equal([1, 4, 4], OptionValues.ParseIntList("1, 4,4", "--sliding-window"));
        var t = TargetSelection.Parse("7", 3, info.ClassNames).Resolve(3, 10, out _);
        Assert.Equal([7, 7, 7], t);
        Assert.Throws<GlassboxException>(() => OptionValues.ParseBaselines("blur:-1", ctx));
        Assert.Throws<GlassboxException>(() => OptionValues.ParseBaselines("ones", ctx));
        Assert.Contains("does not exist", Assert.Throws<GlassboxException>(() => OptionValues.ParseBaselines("nope.npy", ctx)).Message);
        Assert.Throws<GlassboxException>(() => OptionValues.ParseFeatureMask("grid:0", ctx));
        Assert.Throws<GlassboxException>(() => OptionValues.ParseFeatureMask("hex:4", ctx));
        Assert.Throws<GlassboxException>(() => OptionValues.ParseIntList("4,x", "--strides"));
        Assert.Throws<GlassboxException>(() => TargetSelection.Parse("cat", 2, info.ClassNames));

        using var dir = new TempDirectory();
        var ids = Enumerable.Range(0, 784).Select(i => (long)(i % 28 / 14)).ToArray();
        NpyFile.Write(dir.File("mask.npy"), ids, [28, 28]);
        var mask = OptionValues.ParseFeatureMask(dir.File("mask.npy"), ctx).ForInput(torch.zeros(1, 28, 28));
        Assert.Equal(2, mask.Count);
        NpyFile.Write(dir.File("bad.npy"), ids, [784]);
        Assert.Contains("must be 28×28", Assert.Throws<GlassboxException>(() => OptionValues.ParseFeatureMask(dir.File("bad.npy"), ctx)).Message);
        NpyFile.Write(dir.File("t3.npy"), new long[] { 1, 2, 3 }, [3]);
        Assert.Contains("one class per input", Assert.Throws<GlassboxException>(() => TargetSelection.Parse(dir.File("t3.npy"), 2, info.ClassNames)).Message);
    }

    [Fact]
    public void OptionText_RejectsUnknownAndMalformedValues()
    {
        var entry = MethodCatalog.Default.Get("integrated-gradients");
        MethodSettings Build(string k, string v) => entry.Bind(new Dictionary<string, string> { [k] = v }, new OptionContext(Mnist, torch.CPU), OutputSpace.Logits, 0);
        Assert.Equal(12, ((IntegratedGradientsOptions)Build("--n-steps", "12").Options).NSteps);
        Assert.Contains("not an integer", Assert.Throws<GlassboxException>(() => Build("--n-steps", "many")).Message);
        Assert.Contains("--nt-type", Assert.Throws<GlassboxException>(() => Build("--nt-samples", "4")).Message);
        Assert.Equal(NoiseTunnelType.VarGrad, Build("--nt-type", "vargrad").NoiseTunnel!.Type);
    }

    [Fact]
    public void Benchmark_PassCounts_FollowTheMethodsDefinitions()
    {
        var info = new ModelInfo(Architecture.ReferenceCnn, 1, 28, 28, MnistFormat.DigitClassNames);
        var cat = MethodCatalog.Default;
        var ctx = new OptionContext(info, torch.CPU);
        (double, bool) Passes(string name, int k, Dictionary<string, string>? text = null)
        {
            var cost = cat.Get(name).Bind(text ?? new Dictionary<string, string>(), ctx).Cost(info, k);
            return (cost.PerImage, cost.Gradient);
        }
        Assert.Equal((50.0, true), Passes("integrated-gradients", 1));
        Assert.Equal((500.0, true), Passes("integrated-gradients", 10));
        Assert.Equal((25.0 * 49, false), Passes("shapley-value-sampling", 10));
        // Occlusion 4×4 stride 1 on 28×28: 25×25 windows plus the unoccluded input.
        Assert.Equal((626.0, false), Passes("occlusion", 1));
        Assert.Equal((15.0, true), Passes("saliency", 1, new() { ["nt-type"] = "smoothgrad", ["nt-samples"] = "15" }));
    }
}

using Glassbox.Attribution;
using Glassbox.Attribution.Cam;
using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.Gradient;
using Glassbox.Attribution.Perturbation;
using Glassbox.Attribution.Propagation;
using Glassbox.Attribution.Shapley;
using Glassbox.Models;
using Glassbox.Tests.Attribution.Gradient;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Attribution.Catalog;

/// <summary>The options records are the single definition of every method option: flags, defaults, ranges, binding from text.</summary>
public class OptionSchemaTests
{
    private static readonly ModelInfo Info = GradientTestModels.Info(1, 8, 8, 3);
    private static readonly OptionContext Context = new(Info, torch.CPU);

    private static readonly Dictionary<string, object> Defaults = new()
    {
        ["saliency"] = new SaliencyOptions(), ["input-x-gradient"] = new InputXGradientOptions(),
        ["integrated-gradients"] = new IntegratedGradientsOptions(), ["gradient-shap"] = new GradientShapOptions(),
        ["gradient-explainer"] = new GradientExplainerOptions(), ["deep-lift"] = new DeepLiftOptions(),
        ["deep-lift-shap"] = new DeepLiftShapOptions(), ["deep-shap"] = new DeepShapOptions(), ["lrp"] = new LrpOptions(),
        ["guided-backprop"] = new GuidedBackpropOptions(), ["deconvolution"] = new DeconvolutionOptions(),
        ["grad-cam"] = new GradCamOptions(), ["grad-cam-plus-plus"] = new GradCamPlusPlusOptions(), ["score-cam"] = new ScoreCamOptions(),
        ["guided-grad-cam"] = new GuidedGradCamOptions(), ["occlusion"] = new OcclusionOptions(), ["feature-ablation"] = new FeatureAblationOptions(),
        ["lime"] = new LimeOptions(), ["shapley-value-sampling"] = new ShapleyValueSamplingOptions(), ["kernel-shap"] = new KernelShapOptions(),
        ["partition-shap"] = new PartitionShapOptions(), ["rise"] = new RiseOptions(),
    };

    public static TheoryData<string> Methods()
    {
        var data = new TheoryData<string>();
        foreach (var e in MethodCatalog.Default.Entries) data.Add(e.Name);
        return data;
    }

    [Fact]
    public void EveryCatalogMethod_HasItsOptionsRecordListedHere()
        => Assert.Equal(Defaults.Keys.Order(), MethodCatalog.Default.Entries.Select(e => e.Name).Order());

    [Theory]
    [MemberData(nameof(Methods))]
    public void NoText_BindsTheRecordsConstructorDefaults(string name)
    {
        var settings = MethodCatalog.Default.Get(name).Bind(new Dictionary<string, string>(), Context);
        Assert.Equal(Defaults[name], settings.Options);
        Assert.Null(settings.NoiseTunnel);
        Assert.Null(settings.Baselines);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void EveryFlag_SetsItsOwnProperty_AndNothingElse(string name)
    {
        var entry = MethodCatalog.Default.Get(name);
        foreach (var field in entry.Schema.Fields)
        {
            string text = SampleText(field);
            var bound = entry.Bind(new Dictionary<string, string> { [field.Flag] = text }, Context).Options;
            var property = entry.Schema.RecordType.GetProperty(field.Property)!;
            object? value = property.GetValue(bound);
            Assert.NotNull(value);
            Assert.NotEqual(property.GetValue(Defaults[name]), value);
            Assert.Equal(Describe(text), OptionValues.Format(value));
            // Every other property keeps its default.
            foreach (var other in entry.Schema.RecordType.GetProperties().Where(p => p.Name != field.Property && p.Name != "EqualityContract"))
                Assert.Equal(other.GetValue(Defaults[name]), other.GetValue(bound));
        }
    }

    // A valid value that differs from every default, per kind.
    private static string SampleText(OptionField f) => f.Kind switch
    {
        "integer" => ((int)Math.Max(f.Min ?? 0, 0) + 3).ToString(),
        "number" => "0.375",
        "boolean" => f.Default == "true" ? "false" : "true",
        "choice" => f.Choices!.Last(c => c != f.Default),
        "integer-list" => "2,3",
        "baselines" => "constant:0.25",
        "feature-mask" => "grid:2",
        "l1-reg" => "num_features(3)",
        _ => f.Flag switch { "layer" => "1", "composite" => "z-plus", "masker" => "blur(3,3)", _ => throw new InvalidOperationException(f.Flag) },
    };

    private static string Describe(string text) => text switch { "constant:0.25" => "constant 0.25", "grid:2" => "grid 2×2", _ => text };

    [Fact]
    public void Schema_CarriesCaptumNamesDefaultsAndRanges()
    {
        var ig = MethodCatalog.Default.Get("integrated-gradients");
        var steps = ig.Options.Single(f => f.Flag == "n-steps");
        Assert.Equal(("n_steps", "50", 1.0, "integer"), (steps.Reference, steps.Default, steps.Min, steps.Kind));
        var rule = ig.Options.Single(f => f.Flag == "integration-method");
        Assert.Equal("gausslegendre", rule.Default);
        Assert.Contains("riemann_trapezoid", rule.Choices!);
        Assert.Equal("zeros", ig.Options.Single(f => f.Flag == "baselines").Default);
        Assert.Equal("2·features + 2048", MethodCatalog.Default.Get("kernel-shap").Options.Single(f => f.Flag == "n-samples").Default);
        Assert.Contains(MethodCatalog.Default.Get("deep-shap").Options, f => f.Flag == "baselines"); // a background distribution
        Assert.DoesNotContain(MethodCatalog.Default.Get("lrp").Options, f => f.Flag == "output"); // logits only
        Assert.Equal(["nt-type", "nt-samples", "nt-stdevs", "seed"], MethodEntry.NoiseTunnelSchema.Fields.Select(f => f.Flag));
    }

    [Fact]
    public void BadText_GivesOneClearError()
    {
        var ig = MethodCatalog.Default.Get("integrated-gradients");
        string Error(string flag, string value)
            => Assert.Throws<GlassboxException>(() => ig.Bind(new Dictionary<string, string> { [flag] = value }, Context)).Message;
        Assert.Equal("--n-steps must be at least 1, not 0.", Error("n-steps", "0"));
        Assert.Equal("--n-steps must be at most 100000, not 10000000.", Error("n-steps", "10000000"));
        Assert.Contains("is not an integer", Error("n-steps", "1e7"));
        Assert.Equal("Unknown integration method 'simpson'. Use one of: gausslegendre, riemann_left, riemann_right, riemann_middle, riemann_trapezoid.", Error("integration-method", "simpson"));
        string other = Error("n-samples", "4");
        Assert.StartsWith("--n-samples does not apply to integrated-gradients; it reads: --n-steps, --integration-method, --internal-batch-size, --baselines", other);
        Assert.Contains("--nt-type", Error("nt-stdevs", "0.1"));
        Assert.Contains("Unknown LRP composite 'epsilon-pls'", Assert.Throws<GlassboxException>(() =>
            MethodCatalog.Default.Get("lrp").Bind(new Dictionary<string, string> { ["composite"] = "epsilon-pls" }, Context)).Message);
        Assert.Contains("Unknown masker", Assert.Throws<GlassboxException>(() =>
            MethodCatalog.Default.Get("partition-shap").Bind(new Dictionary<string, string> { ["masker"] = "noise" }, Context)).Message);
        Assert.Contains("epsilon-gamma-box", MethodCatalog.Default.Get("lrp").Options.Single(f => f.Flag == "composite").Choices!);
        Assert.Contains("explains the logits", Assert.Throws<GlassboxException>(() =>
            MethodCatalog.Default.Get("lrp").Bind(new Dictionary<string, string>(), Context, OutputSpace.Probabilities, 0)).Message);
    }

    [Fact]
    public void CommonFlags_AndDashedKeys_Bind()
    {
        var s = MethodCatalog.Default.Get("gradient-shap").Bind(new Dictionary<string, string> { ["--n-samples"] = "9" }, Context, OutputSpace.Probabilities, 7);
        Assert.Equal(new GradientShapOptions(NSamples: 9, Output: OutputSpace.Probabilities, Seed: 7), s.Options);
        var lrp = MethodCatalog.Default.Get("lrp").Bind(new Dictionary<string, string>(), Context, OutputSpace.Logits, 7);
        Assert.Equal(new LrpOptions(), lrp.Options); // deterministic: the seed is accepted and ignored
        var nt = MethodCatalog.Default.Get("saliency").Bind(new Dictionary<string, string> { ["nt-type"] = "vargrad" }, Context, OutputSpace.Logits, 5);
        Assert.Equal(new NoiseTunnelOptions(NoiseTunnelType.VarGrad, Seed: 5), nt.NoiseTunnel);
        Assert.Equal("vargrad", nt.Describe()["nt-type"]);
        Assert.Equal("true", nt.Describe()["abs"]);
    }

    [Fact]
    public void ANewOption_IsOneAttributedProperty()
    {
        var schema = new OptionSchema(typeof(ToyOptions));
        Assert.Equal(["depth"], schema.Fields.Select(f => f.Flag));
        Assert.Equal(new ToyOptions(Depth: 5), schema.Bind(new Dictionary<string, string> { ["depth"] = "5" }, Context));
        Assert.Equal(new ToyOptions(), schema.Bind(new Dictionary<string, string> { ["hidden"] = "5" }, Context)); // not an option: stays at its default
        Assert.Equal("3", schema.Fields[0].Default);
    }

    [Fact]
    public void PassCosts_ComeFromTheBoundOptions()
    {
        torch.manual_seed(3);
        using var model = new ImageClassifier(Info, nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Conv2d(4, 5, 3), nn.ReLU(), nn.Flatten(), nn.Linear(80, 3)));
        var cat = MethodCatalog.Default;
        PassCost Cost(string name, Dictionary<string, string> text, int k = 1) => cat.Get(name).Bind(text, Context).Cost(Info, k, model);
        Assert.Equal(new PassCost(64 * 3, true), Cost("integrated-gradients", new() { ["n-steps"] = "64" }, 3));
        Assert.Equal(new PassCost(5 + 1, false), Cost("score-cam", new())); // the last conv has 5 channels
        Assert.Equal(new PassCost(4 + 1, false), Cost("score-cam", new() { ["layer"] = "0" }));
        Assert.Equal(new PassCost(4 * 4 + 1, false), Cost("feature-ablation", new() { ["feature-mask"] = "grid:2" }));
        var bg = cat.Get("deep-shap").Bind(new Dictionary<string, string>(), Context) with { Baselines = Baseline.FromImages(torch.rand(7, 1, 8, 8)) };
        Assert.Equal(new PassCost(2 * 7 * 2, true), bg.Cost(Info, 2));
    }

    private sealed record ToyOptions([property: Option("depth", Min = 1, Help = "Layers")] int Depth = 3, int Hidden = 7);
}

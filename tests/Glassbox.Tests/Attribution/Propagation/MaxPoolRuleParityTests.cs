using Glassbox.Attribution;
using Glassbox.Attribution.Propagation;
using Glassbox.Tests.Reference;
using Xunit.Abstractions;
using static Glassbox.Tests.Reference.ReferenceData;

namespace Glassbox.Tests.Attribution.Propagation;

/// <summary>
/// GitHub issue 8: on small_cnn (Conv → ReLU → MaxPool2d → Flatten → Linear) with a zero baseline, deep-lift's
/// default max-pool rule equals shap.DeepExplainer with one zero background image and <c>maxpool-rule captum</c>
/// equals Captum 0.7's DeepLift; the two references differ.
/// </summary>
public class MaxPoolRuleParityTests(ITestOutputHelper log)
{
    private const string Model = "small_cnn";

    private static Explanation Run(MaxPoolRule rule)
    {
        using var m = Spec(Model);
        return new DeepLift(m, new DeepLiftOptions(Baselines: Baseline.Zeros, MaxPoolRule: rule)).Attribute(Inputs(), TargetSelectionFromFile());
    }

    [Fact]
    public void DeepLift_CaptumMaxPoolRule_MatchesCaptumDeepLift()
    {
        var e = Run(MaxPoolRule.Captum);
        double err = RelativeL2(e.Values, Floats(Model, "captum_deeplift_zero"));
        log.WriteLine($"PARITY {Model} deeplift_zero (maxpool-rule captum): relative L2 {err:E2}");
        Assert.True(err <= Tolerance, $"relative L2 {err:E2}");
        double delta = MaxAbs(Enumerable.Range(0, e.Count).Select(e.Delta).ToArray(), Doubles(Model, "captum_deeplift_zero_delta"));
        Assert.True(delta <= Tolerance, $"delta differs by {delta:E2}");
    }

    [Fact]
    public void DeepLift_DefaultMaxPoolRule_MatchesShapDeepExplainerWithZeroBackground()
    {
        var e = Run(MaxPoolRule.Shap);
        Assert.Equal(MaxPoolRule.Shap, new DeepLiftOptions().MaxPoolRule);
        double err = RelativeL2(e.Values, Floats(Model, "shap_deep_zero_bg_target"));
        log.WriteLine($"PARITY {Model} shap_deep_zero_bg_target (maxpool-rule shap): relative L2 {err:E2}");
        Assert.True(err <= Tolerance, $"relative L2 {err:E2}");
        var expected = Doubles(Model, "shap_deep_zero_bg_expected_value");
        var targets = Targets();
        for (int i = 0; i < e.Count; i++) Assert.Equal(expected[targets[i]], e.BaseValues[i], 5);
    }

    /// <summary>DeepLiftShap over two zero baselines is DeepLIFT against zeros, so the option reaches it too.</summary>
    [Fact]
    public void DeepLiftShap_CaptumMaxPoolRule_OverZeroBaselines_MatchesCaptumDeepLift()
    {
        using var m = Spec(Model);
        var zeros = TorchSharp.torch.zeros(2, 1, 8, 8);
        var captum = new DeepLiftShap(m, zeros, new DeepLiftShapOptions(MaxPoolRule: MaxPoolRule.Captum)).Attribute(Inputs(), TargetSelectionFromFile());
        Assert.True(RelativeL2(captum.Values, Floats(Model, "captum_deeplift_zero")) <= Tolerance);
        var shap = new DeepLiftShap(m, zeros).Attribute(Inputs(), TargetSelectionFromFile());
        Assert.True(RelativeL2(shap.Values, Floats(Model, "shap_deep_zero_bg_target")) <= Tolerance);
    }

    [Fact]
    public void CaptumAndShapReferences_Differ_AndEachRuleIsComplete()
    {
        var shap = Run(MaxPoolRule.Shap);
        var captum = Run(MaxPoolRule.Captum);
        double between = RelativeL2(captum.Values, shap.Values);
        double references = RelativeL2(Floats(Model, "captum_deeplift_zero"), Floats(Model, "shap_deep_zero_bg_target"));
        log.WriteLine($"MAXPOOL {Model}: captum vs shap rule relative L2 {between:E3} (references: {references:E3})");
        Assert.True(between > 0.01, $"the rules should differ on small_cnn, relative L2 {between:E2}");
        Assert.True(Math.Abs(between - references) < 1e-4, $"the rules differ by {between:E4}, the references by {references:E4}");
        for (int i = 0; i < shap.Count; i++) Assert.True(Math.Abs(shap.Delta(i)) < 1e-5, $"shap rule delta {shap.Delta(i):E2}");
    }
}

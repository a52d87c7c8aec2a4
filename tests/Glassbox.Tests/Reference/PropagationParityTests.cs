using Glassbox.Attribution;
using Glassbox.Attribution.Propagation;
using Xunit.Abstractions;
using static Glassbox.Tests.Reference.ReferenceData;

namespace Glassbox.Tests.Reference;

/// <summary>
/// Modified-backward methods against Captum 0.7.0 and SHAP 0.49.1 on the Sequential spec (the model object the
/// references used). DeepLIFT and DeepLiftShap run on mixed_cnn only: small_cnn's max-pool rule differs by design.
/// </summary>
public class PropagationParityTests(ITestOutputHelper log)
{
    [Fact]
    public void DeepLift_ZeroBaseline_MatchesCaptum_OnMixedCnn()
    {
        const string model = "mixed_cnn";
        using var m = Spec(model);
        var e = new DeepLift(m, new DeepLiftOptions(Baselines: Baseline.Zeros)).Attribute(Inputs(), TargetSelectionFromFile());
        AssertRelativeL2(log, $"{model} deeplift_zero", e.Values, Floats(model, "captum_deeplift_zero"));
        var captumDelta = Doubles(model, "captum_deeplift_zero_delta");
        double abs = MaxAbs(Enumerable.Range(0, e.Count).Select(e.Delta).ToArray(), captumDelta);
        log.WriteLine($"PARITY {model} deeplift_zero_delta: max |difference| {abs:E2}");
        Assert.True(abs <= Tolerance, $"delta differs by {abs:E2}");
    }

    /// <summary>Captum's delta is per (input, baseline) pair; Glassbox reports Σφ − (f(x) − mean_b f(b)), their mean.</summary>
    [Fact]
    public void DeepLiftShap_Background_MatchesCaptum_OnMixedCnn()
    {
        const string model = "mixed_cnn";
        using var m = Spec(model);
        var e = new DeepLiftShap(m, Background(), new DeepLiftShapOptions()).Attribute(Inputs(), TargetSelectionFromFile());
        AssertRelativeL2(log, $"{model} deepliftshap_bg", e.Values, Floats(model, "captum_deepliftshap_bg"));
        var pairs = Doubles(model, "captum_deepliftshap_bg_delta");
        var meanDelta = Enumerable.Range(0, 5).Select(i => pairs.Skip(i * 20).Take(20).Average()).ToArray();
        double abs = MaxAbs(Enumerable.Range(0, e.Count).Select(e.Delta).ToArray(), meanDelta);
        log.WriteLine($"PARITY {model} deepliftshap_bg_delta (mean over pairs): max |difference| {abs:E2}");
        Assert.True(abs <= Tolerance, $"delta differs by {abs:E2}");
    }

    [Theory]
    [InlineData("small_cnn")]
    [InlineData("mixed_cnn")]
    public void GuidedBackprop_MatchesCaptum(string model)
    {
        using var m = Spec(model);
        var e = new GuidedBackprop(m, new GuidedBackpropOptions()).Attribute(Inputs(), TargetSelectionFromFile());
        AssertRelativeL2(log, $"{model} guided_backprop", e.Values, Floats(model, "captum_guided_backprop"));
    }

    [Theory]
    [InlineData("small_cnn")]
    [InlineData("mixed_cnn")]
    public void Deconvolution_MatchesCaptum(string model)
    {
        using var m = Spec(model);
        var e = new Deconvolution(m, new DeconvolutionOptions()).Attribute(Inputs(), TargetSelectionFromFile());
        AssertRelativeL2(log, $"{model} deconvolution", e.Values, Floats(model, "captum_deconvolution"));
    }

    /// <summary>shap.DeepExplainer(model, background).shap_values(inputs): every class (class-first file) and the expected value.</summary>
    [Theory]
    [InlineData("small_cnn")]
    [InlineData("mixed_cnn")]
    public void DeepShap_MatchesShapDeepExplainer(string model)
    {
        using var m = Spec(model);
        var explainer = new DeepShap(m, Background(), new DeepShapOptions());
        var e = explainer.Attribute(Inputs(), TargetSelection.AllClasses);
        var expected = Doubles(model, "shap_deep_expected_value");
        double evErr = RelativeL2(explainer.ExpectedValue, expected);
        log.WriteLine($"PARITY {model} shap_deep_expected_value: relative L2 {evErr:E2}");
        AssertRelativeL2(log, $"{model} shap_deep_values", e.Values, Floats(model, "shap_deep_values_class_first"));
        Assert.True(evErr <= Tolerance, $"expected value: relative L2 {evErr:E2}");
        for (int i = 0; i < e.BaseValues.Length; i++) Assert.Equal(expected[i % 3], e.BaseValues[i], 5);
    }
}

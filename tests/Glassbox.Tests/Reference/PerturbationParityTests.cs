using Glassbox.Attribution;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Attribution.Perturbation;
using Xunit.Abstractions;
using static Glassbox.Tests.Reference.ReferenceData;

namespace Glassbox.Tests.Reference;

/// <summary>Occlusion and feature ablation against Captum 0.7.0 on the TorchScript fixtures (zero baseline).</summary>
public class PerturbationParityTests(ITestOutputHelper log)
{
    [Theory]
    [InlineData("small_cnn")]
    [InlineData("mixed_cnn")]
    public void Occlusion3x3_MatchesCaptum(string model)
    {
        using var m = Script(model);
        var e = new Occlusion(m, new OcclusionOptions(SlidingWindowShapes: [1, 3, 3], Strides: [1, 1, 1], Baselines: Baseline.Zeros))
            .Attribute(Inputs(), TargetSelectionFromFile());
        AssertRelativeL2(log, $"{model} occlusion_3x3", e.Values, Floats(model, "captum_occlusion_3x3"));
    }

    [Theory]
    [InlineData("small_cnn")]
    [InlineData("mixed_cnn")]
    public void FeatureAblation_GridMask_MatchesCaptum(string model)
    {
        using var m = Script(model);
        var ids = Longs(null, "feature_mask").Select(v => (int)v).ToArray();
        var mask = new FeatureMask(ids, 1, 8, 8);
        Assert.Equal(16, mask.Count);
        var e = new FeatureAblation(m, new FeatureAblationOptions(FeatureMask: MaskSource.Shared(mask), Baselines: Baseline.Zeros))
            .Attribute(Inputs(), TargetSelectionFromFile());
        AssertRelativeL2(log, $"{model} feature_ablation_grid", e.Values, Floats(model, "captum_feature_ablation_grid"));
    }
}

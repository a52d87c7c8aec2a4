using Glassbox.Attribution;
using Glassbox.Attribution.Shapley;
using Xunit.Abstractions;
using static Glassbox.Tests.Reference.ReferenceData;

namespace Glassbox.Tests.Reference;

/// <summary>
/// Partition SHAP against SHAP 0.49.1's PartitionExplainer (<c>shap.maskers.Image("blur(3,3)", (8,8,1))</c>, target logit,
/// batch_size 50 images = 25 nodes) on the TorchScript fixtures.
/// </summary>
public class ShapleyPartitionParityTests(ITestOutputHelper log)
{
    private static PartitionShapOptions Shap(int maxEvals, string masker) => new(MaxEvals: maxEvals, Masker: masker, BatchSize: 25);

    [Theory]
    [InlineData("small_cnn", 100)]
    [InlineData("small_cnn", 500)]
    [InlineData("mixed_cnn", 100)]
    [InlineData("mixed_cnn", 500)]
    public void PartitionShap_Blur_MatchesShapPartitionExplainer(string model, int maxEvals)
    {
        using var m = Script(model);
        var e = new PartitionShap(m, Shap(maxEvals, "blur(3,3)")).Attribute(Inputs(), TargetSelectionFromFile());
        string name = $"shap_partition_blur3_e{maxEvals}";
        AssertRelativeL2(log, $"{model} {name}", e.Values, Floats(model, name));
        AssertRelativeL2(log, $"{model} {name}_base_values", e.BaseValues.Select(v => (float)v).ToArray(), Floats(model, name + "_base_values"));
    }
}

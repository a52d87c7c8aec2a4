using Glassbox.Attribution;
using Glassbox.Metrics;
using Glassbox.Metrics.Faithfulness;
using static Glassbox.Tests.Metrics.MetricTestModels;

namespace Glassbox.Tests.Metrics.Faithfulness;

public class RegionPerturbationTests
{
    private static readonly float[] X = [1f, 0.5f, 1f, 1f];
    private static readonly float[] Map = [4f, 1f, 1f, 0.5f];

    [Fact]
    public void Regions_AreQuantusPatchGrid_CentredByHalfThePadding()
    {
        // 4×4 with 3×3 patches: padded to 6×6 with one row/column before, so rows 0–1 and 2–3 form the patches.
        var (ids, count) = RegionPerturbation.Regions(1, 4, 4, 3);
        Assert.Equal(4, count);
        Assert.Equal(new[] { 0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3 }, ids);
        // 28×28 with 8×8: padded by 2 on each side, 4×4 patches; the first covers rows and columns 0–5.
        var (mnist, mnistCount) = RegionPerturbation.Regions(1, 28, 28, 8);
        Assert.Equal(16, mnistCount);
        Assert.Equal(0, mnist[5 * 28 + 5]);
        Assert.Equal(5, mnist[6 * 28 + 6]);
        // Channels share the region.
        var (rgb, _) = RegionPerturbation.Regions(3, 4, 4, 2);
        Assert.Equal(rgb.AsSpan(0, 16).ToArray(), rgb.AsSpan(32, 16).ToArray());
    }

    [Fact]
    public void RegionPerturbation_OnePixelRegions_IsSameksAopc()
    {
        // Black = 0.5; order 0, 1, 2, 3: f = 6.5, 4.5, 4.5, 4, 3.75 → AOPC = (0 + 2 + 2 + 2.5 + 2.75) / 5.
        using var model = Linear();
        using var x = Images(X);
        var e = Explain(1, 1, [0], [Map], OutputSpace.Logits);
        var metric = new RegionPerturbation(new RegionPerturbationOptions(PatchSize: 1));
        Assert.True(metric.HigherIsBetter);
        var r = metric.Evaluate(model, x, e);
        var curves = Assert.IsType<DeletionCurves>(r.Detail);
        Assert.Equal(new[] { 0, 0.25, 0.5, 0.75, 1 }, curves.Fractions);
        Assert.Equal(new[] { 6.5, 4.5, 4.5, 4, 3.75 }, curves.Attribution[0].Select(v => Math.Round(v, 5)));
        Assert.Equal(1.85, r.Scores[0], 1e-5);
        // Only the first two regions: (0 + 2 + 2) / 3.
        var two = new RegionPerturbation(new RegionPerturbationOptions(PatchSize: 1, RegionsEvaluation: 2)).Evaluate(model, x, e);
        Assert.Equal(4.0 / 3, two.Scores[0], 1e-5);
    }

    [Fact]
    public void RegionPerturbation_Lerf_ScoresLower_AndTheDefaultPatchCoversATinyImage()
    {
        using var model = Linear();
        using var x = Images(X);
        var e = Explain(1, 1, [0], [Map], OutputSpace.Logits);
        // Order 3, 1, 2, 0 (ties: lower index first): f = 6.5, 6.25, 6.25, 5.75, 3.75 → (0 + .25 + .25 + .75 + 2.75) / 5.
        var lerf = new RegionPerturbation(new RegionPerturbationOptions(PatchSize: 1, Order: "lerf"));
        Assert.False(lerf.HigherIsBetter);
        Assert.Equal(0.8, lerf.Evaluate(model, x, e).Scores[0], 1e-5);
        // An 8×8 patch holds the whole 2×2 image: f = 6.5, 3.75 → 2.75 / 2.
        Assert.Equal(1.375, new RegionPerturbation().Evaluate(model, x, e).Scores[0], 1e-5);
        Assert.Throws<GlassboxException>(() => new RegionPerturbation(new RegionPerturbationOptions(Order: "random")));
    }

    [Fact]
    public void RegionPerturbation_RanksRegionsBySummedAttribution()
    {
        // 3×3 image of ones, 2×2 patches: regions {0,1,3,4}, {2,5}, {6,7}, {8} (the last row and column are padding's
        // edge). The map gives the top-left region 1 per pixel (sum 4, mean 1) and pixel 8 a 3 (sum 3, mean 3): the sum
        // ranks the top-left region first. The model's logit a is the sum of the top-left region: f = 4, then 0.
        var weights = new float[9];
        foreach (int p in new[] { 0, 1, 3, 4 }) weights[p] = 1;
        using var model = LinearModel(weights, 3);
        using var x = TorchSharp.torch.ones(1, 1, 3, 3);
        var map = new float[9];
        foreach (int p in new[] { 0, 1, 3, 4 }) map[p] = 1f;
        map[8] = 3f;
        var e = new Explanation("Hand", new object(), map, [1, 1, 1, 3, 3], [0], OutputSpace.Logits, [double.NaN], [double.NaN], null, 0);
        var r = new RegionPerturbation(new RegionPerturbationOptions(PatchSize: 2, RegionsEvaluation: 1, PerturbBaseline: "0")).Evaluate(model, x, e);
        Assert.Equal(new[] { 4.0, 0.0 }, Assert.IsType<DeletionCurves>(r.Detail).Attribution[0].Select(v => Math.Round(v, 5)));
        Assert.Equal(2.0, r.Scores[0], 1e-5);
    }

    private static Glassbox.Models.ImageClassifier LinearModel(float[] weights, int side)
    {
        var lin = TorchSharp.torch.nn.Linear(side * side, 2);
        using (TorchSharp.torch.no_grad())
        {
            lin.weight!.copy_(TorchSharp.torch.tensor(weights.Concat(new float[side * side]).ToArray(), [2, side * side]));
            lin.bias!.zero_();
        }
        return new Glassbox.Models.ImageClassifier(new Glassbox.Models.ModelInfo("custom", 1, side, side, ["a", "b"]),
            TorchSharp.torch.nn.Sequential(TorchSharp.torch.nn.Flatten(), lin));
    }
}

using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Metrics;
using Glassbox.Metrics.Faithfulness;
using TorchSharp;
using static Glassbox.Tests.Metrics.MetricTestModels;

namespace Glassbox.Tests.Metrics.Faithfulness;

public class RoadTests
{
    [Fact]
    public void Impute_OneCornerPixel_IsTheWeightedMeanOfItsThreeNeighbours()
    {
        // Corner of a 2×2 image: two direct neighbours (1/6) and one diagonal (1/12) → (2b + 2c + e) / 5.
        var r = Road.Impute([9f, 2f, 3f, 4f], 1, 2, 2, [true, false, false, false]);
        Assert.Equal((2 * 2 + 2 * 3 + 4) / 5.0, r[0], 1e-6);
        Assert.Equal(new[] { 2f, 3f, 4f }, r[1..]);
    }

    [Fact]
    public void Impute_TwoAdjacentPixels_SolveTheCoupledSystem()
    {
        // 3×3, all zero but the top-right c = 6; remove the centre X and its right neighbour Y:
        //   X = c/12 + Y/6                    (centre: 8 neighbours, weights sum to 1)
        //   (2/3) Y = c/6 + X/6               (right edge: b 1/12, c 1/6, X 1/6, h 1/12, i 1/6)
        // → X = 18/23, Y = 39/23. A second channel at twice the values imputes to twice the solution.
        float[] one = [0, 0, 6, 0, 0, 0, 0, 0, 0];
        var removed = new bool[9];
        removed[4] = removed[5] = true;
        var r = Road.Impute([.. one, .. one.Select(v => 2 * v)], 2, 3, 3, removed);
        Assert.Equal(18.0 / 23, r[4], 1e-6);
        Assert.Equal(39.0 / 23, r[5], 1e-6);
        Assert.Equal(36.0 / 23, r[9 + 4], 1e-6);
        Assert.Equal(78.0 / 23, r[9 + 5], 1e-6);
        for (int p = 0; p < 9; p++) if (!removed[p]) Assert.Equal(one[p], r[p]);
        Assert.Contains("at least one kept pixel", Assert.Throws<GlassboxException>(() => Road.Impute(one, 1, 3, 3, Enumerable.Repeat(true, 9).ToArray())).Message);
    }

    [Fact]
    public void Impute_OfALinearRamp_IsExact_OnABiggerHole()
    {
        // The weighted-mean equations hold for any image linear in x and y away from the border: the interior of a
        // ramp is recovered exactly from its frame (the discrete harmonic solution).
        int h = 9, w = 11;
        var image = new float[h * w];
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) image[y * w + x] = 0.1f * x + 0.05f * y;
        var removed = new bool[h * w];
        for (int y = 1; y < h - 1; y++) for (int x = 1; x < w - 1; x++) removed[y * w + x] = true;
        var r = Road.Impute(image, 1, h, w, removed);
        for (int p = 0; p < h * w; p++) Assert.Equal(image[p], r[p], 1e-5);
    }

    [Fact]
    public void Impute_OnARandomHole_MatchesADenseSolveOfTheSameEquations()
    {
        // 10×10 random image, 60 % of the pixels removed at random: build "D_i·v_i − Σ_removed w_ij·v_j = Σ_kept w_ij·x_j"
        // densely and solve it by Gaussian elimination with partial pivoting.
        int h = 10, w = 10, n = h * w;
        var rng = new Random(4);
        var image = Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
        var removed = Enumerable.Range(0, n).Select(_ => rng.NextDouble() < 0.6).ToArray();
        removed[0] = false;
        var unknown = Enumerable.Range(0, n).Where(p => removed[p]).ToArray();
        int m = unknown.Length;
        var a = new double[m, m + 1];
        for (int u = 0; u < m; u++)
        {
            int y = unknown[u] / w, x = unknown[u] % w;
            for (int dy = -1; dy <= 1; dy++)
                for (int dx = -1; dx <= 1; dx++)
                {
                    int yy = y + dy, xx = x + dx;
                    if ((dy == 0 && dx == 0) || yy < 0 || yy >= h || xx < 0 || xx >= w) continue;
                    double wgt = dy == 0 || dx == 0 ? 1.0 / 6 : 1.0 / 12;
                    a[u, u] += wgt;
                    int q = yy * w + xx;
                    if (removed[q]) a[u, Array.IndexOf(unknown, q)] -= wgt;
                    else a[u, m] += wgt * image[q];
                }
        }
        for (int col = 0; col < m; col++)
        {
            int pivot = Enumerable.Range(col, m - col).MaxBy(r => Math.Abs(a[r, col]));
            for (int c = 0; c <= m; c++) (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
            for (int r = 0; r < m; r++)
            {
                if (r == col) continue;
                double f = a[r, col] / a[col, col];
                for (int c = col; c <= m; c++) a[r, c] -= f * a[col, c];
            }
        }
        var imputed = Road.Impute(image, 1, h, w, removed);
        for (int u = 0; u < m; u++) Assert.Equal(a[u, m] / a[u, u], imputed[unknown[u]], 1e-5);
    }

    [Fact]
    public void AddNoise_AddsTheSeededTorchDraws_ToRemovedPixelsOnly()
    {
        float[] image = [1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f];
        bool[] removed = [false, true, false, true];
        using (var g = new torch.Generator(7)) Road.AddNoise(image, removed, 2, 4, 0.5, g);
        using var g2 = new torch.Generator(7);
        var draw = torch.randn([2, 2], generator: g2).data<float>().ToArray();
        float[] expected = [1f, 2f + 0.5f * draw[0], 3f, 4f + 0.5f * draw[1], 5f, 6f + 0.5f * draw[2], 7f, 8f + 0.5f * draw[3]];
        Assert.Equal(expected, image);
    }

    [Fact]
    public void Road_WithoutNoise_IsTheHandComputedShareOfSurvivingPredictions()
    {
        // x = 1, 0, .5, 1: a = 5 > b = 4. Map W·x = 4, 0, .5, .5.
        // morf: 25 % removes pixel 0 → 0.4: a = 2.6 < b = 4 (0); 50 % removes 0 and 2 → 3/7, 4/7: a ≈ 2.79 < b ≈ 4.14 (0).
        // lerf: 25 % removes pixel 1 → 0.9: a = 6.8 > 4.9 (1); 50 % → 1, 1 (1); 75 % → all 1 (1).
        using var model = Linear();
        using var x = Images([1f, 0f, 0.5f, 1f]);
        var e = Explain(1, 1, [0], [[4f, 0f, 0.5f, 0.5f]], OutputSpace.Logits);
        var morf = new Road(new RoadOptions(Percentages: [25, 50], Noise: 0));
        Assert.False(morf.HigherIsBetter);
        var r = morf.Evaluate(model, x, e);
        var curves = Assert.IsType<DeletionCurves>(r.Detail);
        Assert.Equal(new[] { 0.25, 0.5 }, curves.Fractions);
        Assert.Equal(new[] { 0.0, 0.0 }, curves.Attribution[0]);
        Assert.Equal(0.0, r.Scores[0]);
        var lerf = new Road(new RoadOptions(Percentages: [0, 25, 50, 75], Noise: 0, Order: "lerf"));
        Assert.True(lerf.HigherIsBetter);
        Assert.Equal(new[] { 1.0, 1.0, 1.0, 1.0 }, Assert.IsType<DeletionCurves>(lerf.Evaluate(model, x, e).Detail).Attribution[0]);
    }

    [Fact]
    public void Road_Defaults_AreQuantusPercentages_AndNoiseIsSeeded()
    {
        Assert.Equal(Enumerable.Range(0, 50).Select(i => 2 * i + 1), new RoadOptions().Steps);
        using var model = Linear();
        using var x = Images([1f, 0f, 0.5f, 1f], [0.2f, 1f, 0.7f, 0.1f]);
        var e = Explain(2, 1, [0, 1], [[4f, 0f, 0.5f, 0.5f], [0.1f, 1f, 1.4f, 0.3f]], OutputSpace.Logits);
        var noisy = new RoadOptions(Noise: 3, RandomSeed: 11);
        var a = new Road(noisy).Evaluate(model, x, e);
        var b = new Road(noisy).Evaluate(model, x, e);
        var other = new Road(noisy with { RandomSeed = 12 }).Evaluate(model, x, e);
        var ca = Assert.IsType<DeletionCurves>(a.Detail).Attribution;
        Assert.Equal(50, ca[0].Length);
        Assert.Equal(ca, Assert.IsType<DeletionCurves>(b.Detail).Attribution);
        Assert.NotEqual(ca, Assert.IsType<DeletionCurves>(other.Detail).Attribution);
        Assert.All(ca.SelectMany(c => c), v => Assert.True(v is 0 or 1));
        Assert.Equal(ca.Select(c => c.Average()), a.Scores);
    }

    [Fact]
    public void Road_RefusesBadPercentages_AndBindsThemFromText()
    {
        Assert.Throws<GlassboxException>(() => new Road(new RoadOptions(Percentages: [50, 100])));
        Assert.Throws<GlassboxException>(() => new Road(new RoadOptions(Percentages: [])));
        Assert.Throws<GlassboxException>(() => new Road(new RoadOptions(Noise: -1)));
        var context = new OptionContext(new Glassbox.Models.ModelInfo("test", 1, 2, 2, ["a", "b"]), torch.CPU);
        var road = Assert.IsType<Road>(MetricCatalog.Default.Get("road").Create(new Dictionary<string, string> { ["percentages"] = "10,20,30", ["noise"] = "0" }, context));
        Assert.Equal(new[] { 10, 20, 30 }, road.Options.Steps);
        Assert.Equal(0, road.Options.Noise);
    }
}

using Glassbox.Attribution;
using Glassbox.Attribution.Maskers;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Attribution.Perturbation;
using Glassbox.Attribution.Shapley;
using Glassbox.Attribution.Surrogates;
using Glassbox.Models;
using Glassbox.Tests.Attribution.Gradient;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Attribution.Surrogates;

public class LimeAndPartitionTests
{
    [Fact]
    public void Lasso_OnOrthonormalDesign_IsSoftThresholding_AndAlphaZeroIsLeastSquares()
    {
        // Columns ±1 balanced and orthogonal (centred), unit weights: β_j = S(xᵀy/n, α) / (xᵀx/n) with xᵀx/n = 1.
        double[] x = [1, 1, 1, -1, -1, 1, -1, -1];
        double[] y = [3, 1, -1, -2];
        var w = new double[] { 1, 1, 1, 1 };
        double ols0 = (3 + 1 + 1 + 2) / 4.0, ols1 = (3 - 1 - 1 + 2) / 4.0; // 1.75, 0.75
        var fit = Lasso.Fit(x, 4, 2, y, w, alpha: 1.0);
        Assert.Equal(0.75, fit.Coefficients[0], 1e-9);
        Assert.Equal(0.0, fit.Coefficients[1], 1e-9);
        Assert.Equal(0.25, fit.Intercept, 1e-9);
        var ls = Lasso.Fit(x, 4, 2, y, w, alpha: 0);
        Assert.Equal(ols0, ls.Coefficients[0], 1e-9);
        Assert.Equal(ols1, ls.Coefficients[1], 1e-9);
        // Sample weights: alpha 0 equals weighted least squares with an intercept column.
        var rng = new Random(1);
        int rows = 30, cols = 4;
        var xs = Enumerable.Range(0, rows * cols).Select(_ => rng.NextDouble()).ToArray();
        var ys = Enumerable.Range(0, rows).Select(_ => rng.NextDouble()).ToArray();
        var ws = Enumerable.Range(0, rows).Select(_ => rng.NextDouble() + 0.1).ToArray();
        var lasso = Lasso.Fit(xs, rows, cols, ys, ws, 0);
        var withOne = new double[rows * (cols + 1)];
        for (int i = 0; i < rows; i++) { withOne[i * (cols + 1)] = 1; Array.Copy(xs, i * cols, withOne, i * (cols + 1) + 1, cols); }
        var wls = WeightedLeastSquares.Solve(withOne, rows, cols + 1, ws, ys, 1).Coefficients;
        Assert.Equal(wls[0], lasso.Intercept, 1e-7);
        for (int j = 0; j < cols; j++) Assert.Equal(wls[j + 1], lasso.Coefficients[j], 1e-7);
    }

    [Fact]
    public void Lime_OnLinearModel_RecoversEachFeaturesContribution_AndIsDeterministic()
    {
        using var model = GradientTestModels.Linear(4, 1, 4, 4, 2, out var weight);
        var x = torch.rand(1, 1, 4, 4) + 0.5;
        var options = new LimeOptions(MaskSource.Grid(2), NSamples: 400, Alpha: 0, KernelWidth: 1e6);
        var e = new Lime(model, options).Attribute(x, TargetSelection.Classes(1));
        // With a huge kernel width the weights are equal and OLS on {0,1} features of a linear model is exact:
        // coefficient of a patch = Σ_{pixels in patch} w·x.
        var mask = GridMask.Create(1, 4, 4, 2);
        var contribution = new double[4];
        var xv = x.data<float>().ToArray();
        var wv = weight[1].data<float>().ToArray();
        for (int e2 = 0; e2 < 16; e2++) contribution[mask.Ids[e2]] += xv[e2] * wv[e2];
        for (int e2 = 0; e2 < 16; e2++) Assert.Equal(contribution[mask.Ids[e2]], e.Values[e2], 1e-4);
        var again = new Lime(model, options).Attribute(x, TargetSelection.Classes(1));
        Assert.Equal(e.Values, again.Values);
        Assert.NotEqual(e.Values, new Lime(model, options with { Seed = 3, NSamples = 20, Alpha = 0.01, KernelWidth = 1 }).Attribute(x, TargetSelection.Classes(1)).Values);
    }

    [Fact]
    public void Maskers_BlurConstantImages_FillHoles_AndKeepVisiblePixels()
    {
        int h = 8, w = 8;
        var constant = Enumerable.Repeat(0.3f, h * w).ToArray();
        var keep = Enumerable.Range(0, h * w).Select(p => p % 3 != 0).ToArray();
        foreach (var masker in new ImageMasker[] { new BlurMasker(5, 5), new BlurMasker(128, 128), new TeleaInpainting(), new HarmonicInpainting() })
            Assert.All(masker.Apply(constant, keep, 1, h, w), v => Assert.Equal(0.3f, v, 1e-5));
        // A linear ramp with a square hole: inpainting gives values close to the ramp.
        var ramp = Enumerable.Range(0, h * w).Select(p => (float)(p % w) / w).ToArray();
        var hole = Enumerable.Range(0, h * w).Select(p => !(p / w is >= 3 and <= 4 && p % w is >= 3 and <= 4)).ToArray();
        foreach (var masker in new ImageMasker[] { new TeleaInpainting(), new HarmonicInpainting() })
        {
            var filled = masker.Apply(ramp, hole, 1, h, w);
            for (int p = 0; p < h * w; p++)
                Assert.True(Math.Abs(filled[p] - ramp[p]) < (hole[p] ? 1e-7 : 0.05), $"{masker.Describe()} at {p}: {filled[p]} vs {ramp[p]}");
        }
        Assert.Equal(new BlurMasker(28, 28), ImageMasker.Parse("blur(28, 28)"));
        Assert.IsType<TeleaInpainting>(ImageMasker.Parse("inpaint_telea"));
        Assert.Equal(new ConstantMasker(0.5f), ImageMasker.Parse("0.5"));
        Assert.Contains("Unknown masker", Assert.Throws<GlassboxException>(() => ImageMasker.Parse("noise")).Message);
    }

    [Fact]
    public void PartitionShap_IsExactlyAdditive_AndOnAdditiveModelsEqualsShapleyValues()
    {
        torch.manual_seed(5);
        using var cnn = new ImageClassifier(GradientTestModels.Info(1, 8, 8, 3), nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.Flatten(), nn.Linear(144, 3)));
        var x = torch.rand(2, 1, 8, 8);
        var e = new PartitionShap(cnn, new PartitionShapOptions(MaxEvals: 100)).Attribute(x, TargetSelection.AllClasses);
        Assert.Empty(e.AdditivityFailures());
        Assert.True(e.MaxAdditivityError < 1e-5, $"{e.MaxAdditivityError:E2}");
        // Linear model, constant masker 0: Owen values of an additive game are w ⊙ x, whatever the budget reached.
        using var lin = GradientTestModels.Linear(6, 1, 4, 4, 2, out var weight);
        var xl = torch.rand(1, 1, 4, 4);
        var full = new PartitionShap(lin, new PartitionShapOptions(MaxEvals: 2000, Masker: "0")).Attribute(xl, TargetSelection.AllClasses);
        GradientTestModels.Close(GradientTestModels.Times(xl.reshape(1, 16), weight), full.Values, 1e-5);
    }

    [Fact]
    public void PartitionShap_AndLime_RunOnBlackBoxModels_AndRejectBadOptions()
    {
        using var box = new BlackBoxModel(GradientTestModels.Relu(3));
        var x = torch.rand(2, 1, 4, 4);
        Assert.Equal([2, 3, 1, 4, 4], new PartitionShap(box, new PartitionShapOptions(MaxEvals: 40, Masker: "inpaint_telea")).Attribute(x, TargetSelection.AllClasses).Shape);
        Assert.Equal([2, 1, 1, 4, 4], new Lime(box).Attribute(x, TargetSelection.PerInput(0, 2)).Shape);
        Assert.Throws<GlassboxException>(() => new PartitionShap(box, new PartitionShapOptions(MaxEvals: 1)));
        Assert.Throws<GlassboxException>(() => new PartitionShap(box, new PartitionShapOptions(Masker: "blur(0,3)")));
        Assert.Throws<GlassboxException>(() => new Lime(box, new LimeOptions(NSamples: 1)));
        Assert.Throws<GlassboxException>(() => new Lime(box, new LimeOptions(KernelWidth: 0)));
        Assert.Contains("NaN", Assert.Throws<GlassboxException>(() => new Lime(box).Attribute(torch.full(1, 1, 4, 4, float.NaN), TargetSelection.AllClasses)).Message);
        Assert.Throws<GlassboxException>(() => new PartitionShap(box).Attribute(torch.rand(1, 1, 5, 4), TargetSelection.AllClasses));
    }

    [Fact]
    public void ImagePartition_SplitsTheLongestSideInHalves()
    {
        var p = new ImagePartition(1, 4, 2);
        var root = p.Nodes[0];
        Assert.Equal(8, root.Size);
        var left = p.Nodes[root.Left];
        Assert.Equal((0, 2, 0, 2), (left.Y0, left.Y1, left.X0, left.X1)); // height 4 ≥ width 2: rows split first
        Assert.Equal(15, p.Nodes.Count); // 8 leaves, 7 internal nodes
        Assert.Equal(8, p.Nodes.Count(n => n.IsLeaf));
    }
}

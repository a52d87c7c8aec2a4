using Glassbox.Attribution;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Attribution.Shapley;
using Glassbox.Attribution.Surrogates;
using Glassbox.Tests.Attribution.Perturbation;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Attribution.Shapley;

public class KernelShapL1RegTests
{
    // 1×8×8 images, 16 features (2×2 patches); only patches 0, 5, 10 and 15 matter, nonlinearly.
    private static FunctionModel PatchModel() => new(TestModels.Info(1, 8, 8, 2), x =>
    {
        var p = nn.functional.avg_pool2d(x.to_type(ScalarType.Float64), 2).reshape(x.shape[0], 16);
        Tensor P(int i) => p.select(1, i);
        var c0 = 3 * P(0) * P(5) + 2 * P(10) - P(15).pow(2) + P(0) * P(10) * P(15);
        var c1 = P(5) - P(10) * P(15);
        return torch.stack([c0, c1], 1);
    });

    private static Tensor Input()
    {
        torch.manual_seed(4);
        return torch.rand(1, 1, 8, 8) * 0.5 + 0.5;
    }

    // The value of each of the 16 patches (the element values of a patch are equal under Split).
    private static double[] PatchValues(Explanation e, int k)
    {
        var map = e.Map(0, k).ToArray();
        return Enumerable.Range(0, 16).Select(j => 4.0 * map[(j / 4 * 2) * 8 + j % 4 * 2]).ToArray();
    }

    [Fact]
    public void L1Reg_Parse_ReadsShapsForms_AndRejectsOthers()
    {
        Assert.Equal(L1Regularization.Auto, L1Regularization.Parse(" AUTO "));
        Assert.Equal(L1Regularization.Aic, L1Regularization.Parse("aic"));
        Assert.Equal(L1Regularization.Bic, L1Regularization.Parse("bic"));
        Assert.Equal(L1Regularization.None, L1Regularization.Parse("false"));
        Assert.Equal(L1Regularization.None, L1Regularization.Parse("0"));
        Assert.Equal(L1Regularization.NumFeatures(7), L1Regularization.Parse("num_features(7)"));
        Assert.Equal(new L1Regularization(L1Mode.Alpha, Alpha: 0.05), L1Regularization.Parse("0.05"));
        foreach (var text in new[] { "auto", "aic", "bic", "false", "num_features(7)", "0.05" })
            Assert.Equal(text, L1Regularization.Parse(text).ToString());
        Assert.Contains("num_features(K)", Assert.Throws<GlassboxException>(() => L1Regularization.Parse("lasso")).Message);
        Assert.Contains("k ≥ 1", Assert.Throws<GlassboxException>(() => L1Regularization.Parse("num_features(0)")).Message);
        Assert.Contains("≥ 0", Assert.Throws<GlassboxException>(() => L1Regularization.Parse("-0.1")).Message);
        Assert.False(L1Regularization.Auto.Applies(0.2));
        Assert.True(L1Regularization.Auto.Applies(0.19));
        Assert.True(L1Regularization.NumFeatures(3).Applies(1.0));
        Assert.Null(new KernelShapOptions().L1Reg);
    }

    [Fact]
    public void Lars_AddsTheMostCorrelatedFirst_AndTheLassoPathEndsAtLeastSquares()
    {
        // Orthogonal columns; y = 3·x0 + 0.5·x2 (x1 unused).
        double[] x = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0];
        double[] y = [3, 0, 0.5, 0];
        Assert.Equal(new[] { 0 }, LeastAngleRegression.Active(x, 4, 3, y, 1));
        Assert.Equal(new[] { 0, 2 }, LeastAngleRegression.Active(x, 4, 3, y, 2));
        var path = LeastAngleRegression.LassoPath(x, 4, 3, y);
        Assert.Equal(new double[3], path[0]);
        var last = path[^1];
        Assert.Equal(3, last[0], 1e-12);
        Assert.Equal(0, last[1], 1e-12);
        Assert.Equal(0.5, last[2], 1e-12);
    }

    [Fact]
    public void Auto_WithAllCoalitions_ChangesNothing()
    {
        using var model = PatchModel();
        var x = Input();
        var mask = MaskSource.Grid(4); // 4 features: 2^4 − 2 = 14 coalitions, all evaluated
        var auto = new KernelShap(model, new KernelShapOptions(mask)).Attribute(x, TargetSelection.AllClasses);
        var none = new KernelShap(model, new KernelShapOptions(mask, L1Reg: L1Regularization.None)).Attribute(x, TargetSelection.AllClasses);
        Assert.Equal(none.Values, auto.Values);
        Assert.True(auto.MaxAdditivityError < 1e-6);
        // Quadrants 1 and 2 hold no patch the model reads: their exact Shapley value is 0; quadrants 0 and 3 matter.
        var map = auto.Map(0, 0);
        Assert.Equal(0f, map[4]);
        Assert.Equal(0f, map[32]);
        Assert.NotEqual(0f, map[0]);
        Assert.NotEqual(0f, map[63]);
    }

    [Fact]
    public void Auto_WithASmallBudget_KeepsOnlySelectedFeatures_AndStaysAdditive()
    {
        using var model = PatchModel();
        var x = Input();
        var options = new KernelShapOptions(MaskSource.Grid(2), NSamples: 200, Seed: 1); // 200 of 65534 coalitions: AIC
        var auto = new KernelShap(model, options).Attribute(x, TargetSelection.AllClasses);
        var none = new KernelShap(model, options with { L1Reg = L1Regularization.None }).Attribute(x, TargetSelection.AllClasses);
        Assert.Empty(auto.AdditivityFailures());
        Assert.True(auto.MaxAdditivityError < 1e-6, $"{auto.MaxAdditivityError}");
        for (int k = 0; k < 2; k++)
        {
            var phi = PatchValues(auto, k);
            var all = PatchValues(none, k);
            Assert.All(all, v => Assert.NotEqual(0, v));
            int kept = phi.Count(v => v != 0);
            Assert.InRange(kept, 1, 15);
            Assert.All(k == 0 ? [0, 5, 10, 15] : new[] { 5, 10, 15 }, j => Assert.NotEqual(0, phi[j]));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(6)]
    public void NumFeatures_KeepsExactlyK(int k)
    {
        using var model = PatchModel();
        var x = Input();
        var e = new KernelShap(model, new KernelShapOptions(MaskSource.Grid(2), NSamples: 200, Seed: 1, L1Reg: L1Regularization.NumFeatures(k)))
            .Attribute(x, TargetSelection.AllClasses);
        Assert.Empty(e.AdditivityFailures());
        for (int slot = 0; slot < 2; slot++) Assert.Equal(k, PatchValues(e, slot).Count(v => v != 0));
    }

    [Fact]
    public void AicBicAndAlpha_AreAdditive_AndAicNeedsEnoughCoalitions()
    {
        using var model = PatchModel();
        var x = Input();
        foreach (var rule in new[] { L1Regularization.Aic, L1Regularization.Bic, L1Regularization.Lasso(1e-4) })
        {
            var e = new KernelShap(model, new KernelShapOptions(MaskSource.Grid(2), NSamples: 200, Seed: 1, L1Reg: rule))
                .Attribute(x, TargetSelection.Classes(0));
            Assert.Empty(e.AdditivityFailures());
            Assert.InRange(PatchValues(e, 0).Count(v => v != 0), 1, 16);
        }
        var few = new KernelShapOptions(MaskSource.Grid(2), NSamples: 6, L1Reg: L1Regularization.Aic);
        Assert.Contains("raise n_samples", Assert.Throws<GlassboxException>(() => new KernelShap(model, few).Attribute(x, TargetSelection.Classes(0))).Message);
        // "auto" then falls back to every feature instead of failing.
        var auto = new KernelShap(model, few with { L1Reg = null }).Attribute(x, TargetSelection.Classes(0));
        var none = new KernelShap(model, few with { L1Reg = L1Regularization.None }).Attribute(x, TargetSelection.Classes(0));
        Assert.Equal(none.Values, auto.Values);
    }
}

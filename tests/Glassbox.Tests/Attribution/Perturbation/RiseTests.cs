using Glassbox.Attribution;
using Glassbox.Attribution.Perturbation;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Attribution.Perturbation;

/// <summary>RISE against its definition: S = Σ f(x ⊙ M_i) M_i / (N·p), with the paper's masks.</summary>
public class RiseTests
{
    [Fact]
    public void Masks_AreTheUpsampledShiftedGrids_InZeroOne_WithMeanP()
    {
        var draws = Rise.Draw(400, 12, 10, 3, 0.3, new Generator(5));
        using var masks = draws.Masks(0, 400, CPU);
        Assert.Equal([400L, 1, 12, 10], masks.shape);
        Assert.True(masks.min().item<float>() >= 0 && masks.max().item<float>() <= 1);
        Assert.InRange(masks.mean().item<float>(), 0.25, 0.35); // bilinear interpolation keeps E[M] = p
        // Cells of 4×4 pixels: one cell alone upsamples to a bump; a full grid is all ones, an empty one all zeros.
        Assert.Equal(draws.Grids[7].sum().item<float>() == 9, masks[7].min().item<float>() == 1);
        // Drawn up front: any range of masks equals the same masks drawn together.
        using var part = draws.Masks(123, 5, CPU);
        Assert.Equal(masks.narrow(0, 123, 5).data<float>().ToArray(), part.data<float>().ToArray());
    }

    [Fact]
    public void ConstantModel_GivesSaliencyOne_TimesTheScore()
    {
        // f ≡ 2: S = 2 · mean_i M_i / p → 2 everywhere as N grows.
        using var model = new FunctionModel(TestModels.Info(1, 8, 8, 2), x => torch.full([x.shape[0], 2], 2f));
        var e = new Rise(model, new RiseOptions(NSamples: 3000, Cells: 4, Output: OutputSpace.Logits)).Attribute(torch.rand(1, 1, 8, 8), TargetSelection.Classes(0));
        Assert.All(e.Values, v => Assert.InRange(v, 1.85f, 2.15f));
    }

    [Fact]
    public void LinearModel_EqualsTheDefinition_AndFindsTheEvidence()
    {
        // Class 0 reads the left half, class 1 the right half; the definition computed by hand from the same masks.
        var x = torch.rand([2, 1, 6, 6], generator: new Generator(1)) + 0.5f;
        var wl = torch.tensor(Enumerable.Range(0, 36).Select(i => i % 6 < 3 ? 1f : 0f).ToArray(), [1, 1, 6, 6]);
        var wr = 1 - wl;
        using var model = new FunctionModel(TestModels.Info(1, 6, 6, 2), z => torch.stack([(z * wl).sum([1, 2, 3]), (z * wr).sum([1, 2, 3])], 1));
        var options = new RiseOptions(NSamples: 500, Cells: 3, KeepProbability: 0.4, PerturbationsPerEval: 7, Seed: 9, Output: OutputSpace.Logits);
        var e = new Rise(model, options).Attribute(x, TargetSelection.AllClasses);
        var masks = Rise.Draw(500, 6, 6, 3, 0.4, new Generator(9)).Masks(0, 500, CPU); // 500×1×6×6
        for (int n = 0; n < 2; n++)
            for (int k = 0; k < 2; k++)
            {
                var scores = ((x[n] * masks) * (k == 0 ? wl : wr)).sum([1, 2, 3]); // f_k(x ⊙ M_i)
                var expected = (scores.reshape(500, 1, 1, 1) * masks).sum([0]) / (500 * 0.4);
                var got = torch.tensor(e.Map(n, k).ToArray()).reshape(1, 6, 6);
                float diff = (got - expected).abs().max().item<float>(), scale = expected.abs().max().item<float>();
                Assert.True(diff < 1e-4f * scale, $"input {n} class {k}: max difference {diff} at scale {scale}");
                var left = got.narrow(2, 0, 3).mean().item<float>();
                var right = got.narrow(2, 3, 3).mean().item<float>();
                Assert.True(k == 0 ? left > right : right > left, $"input {n} class {k}: left {left}, right {right}");
            }
        // The batching (perturbations-per-eval) never changes the result.
        var again = new Rise(model, options with { PerturbationsPerEval = 64 }).Attribute(x, TargetSelection.AllClasses);
        Assert.Equal(e.Values, again.Values);
    }

    [Fact]
    public void BadOptions_AreRefused()
    {
        using var model = new FunctionModel(TestModels.Info(1, 4, 4, 2), x => x.reshape(x.shape[0], 2, 8).sum(2));
        Assert.Throws<GlassboxException>(() => new Rise(model, new RiseOptions(NSamples: 0)));
        Assert.Throws<GlassboxException>(() => new Rise(model, new RiseOptions(KeepProbability: 0)));
        Assert.Throws<GlassboxException>(() => new Rise(model, new RiseOptions(Cells: 0)));
        Assert.Throws<GlassboxException>(() => new Rise(model).Attribute(torch.full(1, 1, 4, 4, float.NaN), TargetSelection.AllClasses));
    }
}

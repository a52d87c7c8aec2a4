using Glassbox.Attribution;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Attribution.Shapley;
using Glassbox.Tests.Attribution.Perturbation;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Attribution.Shapley;

public class ShapleySamplingTests
{
    // Dyadic pixel values so that every coalition image is exact in float32.
    private static readonly float[] GameInput = [0.75f, 0.5f, 1f, 0.25f, 0.625f, 0.875f, 1f, 0.75f, 0.5f, 0.375f];
    private static readonly float[] GameBaseline = [0.25f, 0f, 0.125f, 0.5f, 0f, 0.25f, 0.5f, 0f, 0.25f, 0.125f];

    private static double[] ExactGame(int cls, int[] featureOfElement, int features)
        => TestModels.ExactShapley(z => TestModels.Game(z)[cls], GameInput.Select(v => (double)v).ToArray(),
            GameBaseline.Select(v => (double)v).ToArray(), featureOfElement, features);

    private static Tensor X => torch.tensor(GameInput, [1, 1, 2, 5]);
    private static Baseline B => Baseline.FromImages(torch.tensor(GameBaseline, [1, 1, 2, 5]));
    private static MaskSource PerElement => MaskSource.PerElement;

    [Fact]
    public void KernelShap_WithAllCoalitions_EqualsExactShapleyValues_OnNonlinearGame()
    {
        using var model = TestModels.GameModel();
        var e = new KernelShap(model, new KernelShapOptions(PerElement, Baselines: B)).Attribute(X, TargetSelection.AllClasses);
        var ids = Enumerable.Range(0, 10).ToArray();
        for (int k = 0; k < 2; k++)
        {
            var exact = ExactGame(k, ids, 10);
            var map = e.Map(0, k);
            for (int j = 0; j < 10; j++) Assert.Equal(exact[j], map[j], 1e-6);
        }
        Assert.True(e.AdditivityGuaranteed);
        Assert.Empty(e.AdditivityFailures());
        Assert.True(e.MaxAdditivityError < 1e-5);
    }

    [Fact]
    public void KernelShap_WithGroupedFeatures_EqualsExactShapleyValuesOfTheGroups_SplitOverElements()
    {
        using var model = TestModels.GameModel();
        int[] groups = [0, 0, 1, 1, 2, 2, 3, 4, 4, 5]; // six features
        var mask = MaskSource.Shared(new FeatureMask(groups, 1, 2, 5));
        var split = new KernelShap(model, new KernelShapOptions(mask, Baselines: B)).Attribute(X, TargetSelection.Classes(1));
        var repeat = new KernelShap(model, new KernelShapOptions(mask, Baselines: B, Spread: FeatureSpread.Repeat)).Attribute(X, TargetSelection.Classes(1));
        var exact = ExactGame(1, groups, 6);
        int[] sizes = [2, 2, 2, 1, 2, 1];
        for (int el = 0; el < 10; el++)
        {
            Assert.Equal(exact[groups[el]] / sizes[groups[el]], split.Values[el], 1e-6);
            Assert.Equal(exact[groups[el]], repeat.Values[el], 1e-6);
        }
        Assert.Null(repeat.AdditivityErrors);
        Assert.Empty(split.AdditivityFailures());
    }

    [Fact]
    public void ShapleyValueSampling_IsCompleteOnEveryRun_AndConvergesToExactValues()
    {
        using var model = TestModels.GameModel();
        var few = new ShapleyValueSampling(model, new ShapleyValueSamplingOptions(PerElement, NSamples: 3, Baselines: B, Seed: 4))
            .Attribute(X, TargetSelection.AllClasses);
        Assert.True(few.AdditivityGuaranteed);
        Assert.True(few.MaxAdditivityError < 1e-5, $"additivity error {few.MaxAdditivityError}");

        var many = new ShapleyValueSampling(model, new ShapleyValueSamplingOptions(PerElement, NSamples: 3000, Baselines: B, PerturbationsPerEval: 400))
            .Attribute(X, TargetSelection.AllClasses);
        var ids = Enumerable.Range(0, 10).ToArray();
        for (int k = 0; k < 2; k++)
        {
            var exact = ExactGame(k, ids, 10);
            double scale = exact.Max(Math.Abs);
            var map = many.Map(0, k);
            for (int j = 0; j < 10; j++)
                Assert.True(Math.Abs(exact[j] - map[j]) < 0.03 * scale, $"class {k} feature {j}: exact {exact[j]}, sampled {map[j]}");
        }
        Assert.Empty(many.AdditivityFailures());
    }

    [Fact]
    public void ShapleyValueSampling_OnLinearModel_IsExactForAnySampleCount()
    {
        var (w, bias) = TestModels.RandomLinear(2 * 4 * 4, 3, seed: 21);
        using var model = TestModels.Linear(2, 4, 4, w, bias);
        torch.manual_seed(22);
        var x = torch.rand(2, 2, 4, 4);
        var mask = GridMask.Create(2, 4, 4, 2);
        var e = new ShapleyValueSampling(model, new ShapleyValueSamplingOptions(MaskSource.Shared(mask), NSamples: 2, Spread: FeatureSpread.Repeat))
            .Attribute(x, TargetSelection.AllClasses);
        var xv = x.data<float>().ToArray();
        for (int n = 0; n < 2; n++)
            for (int k = 0; k < 3; k++)
            {
                var phi = new double[mask.Count];
                for (int el = 0; el < 32; el++) phi[mask.Ids[el]] += w[k, el] * xv[n * 32 + el];
                var map = e.Map(n, k);
                for (int el = 0; el < 32; el++) Assert.Equal(phi[mask.Ids[el]], map[el], 1e-5);
            }
    }

    [Fact]
    public void KernelShap_WithBackgroundDistribution_OnLinearModel_UsesTheBackgroundMean()
    {
        var (w, bias) = TestModels.RandomLinear(12, 2, seed: 31);
        using var model = TestModels.Linear(3, 2, 2, w, bias);
        torch.manual_seed(32);
        var x = torch.rand(2, 3, 2, 2);
        var bg = torch.rand(5, 3, 2, 2);
        var e = new KernelShap(model, new KernelShapOptions(MaskSource.PerElement, Baselines: Baseline.FromImages(bg)))
            .Attribute(x, TargetSelection.AllClasses);
        var xv = x.data<float>().ToArray();
        var mean = bg.mean([0]).data<float>().ToArray();
        for (int n = 0; n < 2; n++)
            for (int k = 0; k < 2; k++)
            {
                var map = e.Map(n, k);
                for (int el = 0; el < 12; el++) Assert.Equal(w[k, el] * (xv[n * 12 + el] - mean[el]), map[el], 1e-5);
                double baseValue = bias[k] + Enumerable.Range(0, 12).Sum(el => w[k, el] * mean[el]);
                Assert.Equal(baseValue, e.BaseValues[n * 2 + k], 1e-5);
            }
        Assert.Empty(e.AdditivityFailures());
    }

    [Fact]
    public void KernelShap_WhenSampling_IsAdditive_Deterministic_AndCloseToExact()
    {
        using var model = TestModels.GameModel();
        var options = new KernelShapOptions(PerElement, NSamples: 300, Baselines: B, Seed: 3);
        var a = new KernelShap(model, options).Attribute(X, TargetSelection.Classes(0));
        var b = new KernelShap(model, options).Attribute(X, TargetSelection.Classes(0));
        var c = new KernelShap(model, options with { Seed = 4 }).Attribute(X, TargetSelection.Classes(0));
        Assert.Equal(a.Values, b.Values);
        Assert.NotEqual(a.Values, c.Values);
        Assert.Empty(a.AdditivityFailures());
        Assert.True(a.MaxAdditivityError < 1e-5);
        var exact = ExactGame(0, Enumerable.Range(0, 10).ToArray(), 10);
        double scale = exact.Max(Math.Abs);
        for (int j = 0; j < 10; j++) Assert.True(Math.Abs(exact[j] - a.Values[j]) < 0.15 * scale, $"feature {j}: exact {exact[j]}, estimate {a.Values[j]}");
    }

    [Fact]
    public void ShapleyValueSampling_IsDeterministicUnderASeed_AndIndependentOfBatching()
    {
        using var model = TestModels.GameModel();
        var options = new ShapleyValueSamplingOptions(PerElement, NSamples: 5, Baselines: B, Seed: 9);
        var a = new ShapleyValueSampling(model, options).Attribute(X, TargetSelection.AllClasses);
        var b = new ShapleyValueSampling(model, options with { PerturbationsPerEval = 1 }).Attribute(X, TargetSelection.AllClasses);
        var c = new ShapleyValueSampling(model, options with { Seed = 10 }).Attribute(X, TargetSelection.AllClasses);
        Assert.Equal(a.Values, b.Values);
        Assert.NotEqual(a.Values, c.Values);
    }

    [Fact]
    public void KernelShap_CoalitionSample_FollowsShapsScheme()
    {
        // M = 4: all 14 coalitions, size-1 sets (and complements) weigh twice as much as size-2 sets; weights sum to 1.
        var all = KernelShap.Sample(4, 2 * 4 + 2048, new Random(0));
        Assert.True(all.Exact);
        Assert.Equal(14, all.Coalitions.Length);
        Assert.Equal(14, all.Coalitions.Select(z => string.Concat(z.Select(v => v ? '1' : '0'))).Distinct().Count());
        Assert.Equal(1.0, all.Weights.Sum(), 1e-12);
        var single = all.Weights[Array.FindIndex(all.Coalitions, z => z.Count(v => v) == 1)];
        var pair = all.Weights[Array.FindIndex(all.Coalitions, z => z.Count(v => v) == 2)];
        Assert.Equal(2.0, single / pair, 1e-12);

        // M = 12 with 200 samples: sizes 1 and 11 are enumerated (24), the rest sampled in complementary pairs.
        var sampled = KernelShap.Sample(12, 200, new Random(1));
        Assert.False(sampled.Exact);
        Assert.Equal(200, sampled.Coalitions.Length);
        Assert.Equal(1.0, sampled.Weights.Sum(), 1e-9);
        Assert.All(sampled.Coalitions, z => Assert.InRange(z.Count(v => v), 1, 11));
        Assert.Equal(12, sampled.Coalitions.Take(24).Count(z => z.Count(v => v) == 1));
        // Sizes 2..5 come with their complement next; size 6 (its own complement size) comes alone.
        for (int s = 24; s < 200;)
        {
            int size = sampled.Coalitions[s].Count(v => v);
            Assert.InRange(size, 2, 6);
            if (size == 6) { s++; continue; }
            if (s + 1 < 200) Assert.True(sampled.Coalitions[s].Zip(sampled.Coalitions[s + 1]).All(p => p.First != p.Second));
            s += 2;
        }
    }

    [Fact]
    public void ShapleyMethods_RunOnOpaqueModels_WithDefaultGridFeatures()
    {
        using var model = new FunctionModel(TestModels.Info(1, 16, 16, 3), x =>
        {
            var f = x.reshape(x.shape[0], 256);
            return torch.stack([f.narrow(1, 0, 128).sum(1).tanh(), (f * f).sum(1) / 10, f.max(1).values], 1);
        });
        Assert.False(model.SupportsGradients);
        Assert.Null(model.Layers);
        torch.manual_seed(41);
        var x = torch.rand(2, 1, 16, 16);
        var svs = new ShapleyValueSampling(model, new ShapleyValueSamplingOptions(NSamples: 2)).Attribute(x, TargetSelection.PerInput(0, 2));
        var ks = new KernelShap(model, new KernelShapOptions(NSamples: 100)).Attribute(x, TargetSelection.PerInput(0, 2));
        foreach (var e in new[] { svs, ks })
        {
            Assert.Equal(new[] { 2, 1, 1, 16, 16 }, e.Shape);
            Assert.Empty(e.AdditivityFailures());
            // Default grid: 2×2-pixel patches on 16×16 (⌈16/8⌉ = 2), each patch constant.
            var map = e.Map(0, 0);
            Assert.Equal(map[0], map[1]);
            Assert.Equal(map[0], map[16]);
        }
    }

    [Fact]
    public void ShapleyMethods_RejectBadOptionsAndInputs()
    {
        using var model = TestModels.GameModel();
        Assert.Throws<GlassboxException>(() => new ShapleyValueSampling(model, new ShapleyValueSamplingOptions(NSamples: 0)));
        Assert.Throws<GlassboxException>(() => new KernelShap(model, new KernelShapOptions(NSamples: 0)));
        Assert.Throws<GlassboxException>(() => new KernelShap(model, new KernelShapOptions(PerturbationsPerEval: 0)));
        var mismatch = MaskSource.Shared(new FeatureMask(new int[12], 1, 3, 4));
        Assert.Throws<GlassboxException>(() => new ShapleyValueSampling(model, new ShapleyValueSamplingOptions(mismatch)).Attribute(X, TargetSelection.AllClasses));
        Assert.Throws<GlassboxException>(() => new KernelShap(model, new KernelShapOptions(mismatch)).Attribute(X, TargetSelection.AllClasses));
        var nan = torch.tensor(GameInput, [1, 1, 2, 5]);
        nan[0, 0, 0, 0] = torch.tensor(float.NaN);
        Assert.Throws<GlassboxException>(() => new KernelShap(model).Attribute(nan, TargetSelection.AllClasses));
        Assert.Throws<GlassboxException>(() => new ShapleyValueSampling(model).Attribute(nan, TargetSelection.AllClasses));
        var badBg = Baseline.FromImages(torch.full(2, 1, 2, 5, float.NaN));
        Assert.Throws<GlassboxException>(() => new KernelShap(model, new KernelShapOptions(Baselines: badBg)).Attribute(X, TargetSelection.AllClasses));
    }

    [Fact]
    public void KernelShap_WithATinyBudget_StillSolves_AndStaysAdditive()
    {
        using var model = TestModels.GameModel();
        var e = new KernelShap(model, new KernelShapOptions(PerElement, NSamples: 3, Baselines: B)).Attribute(X, TargetSelection.AllClasses);
        Assert.All(e.Values, v => Assert.True(float.IsFinite(v)));
        Assert.Empty(e.AdditivityFailures());
    }

    [Fact]
    public void KernelShap_GivesZeroToFeaturesThatEqualTheBaseline()
    {
        using var model = TestModels.GameModel();
        var x = torch.tensor(GameInput, [1, 1, 2, 5]);
        x[0, 0, 0, 2] = torch.tensor(GameBaseline[2]);
        var e = new KernelShap(model, new KernelShapOptions(PerElement, Baselines: B)).Attribute(x, TargetSelection.AllClasses);
        Assert.Equal(0f, e.Values[2]);
        Assert.Empty(e.AdditivityFailures());
    }

    [Fact]
    public void ShapleyMethods_WithOneFeature_GiveTheWholeDifference_AndHandlePerImageMasksOfDifferentSizes()
    {
        using var model = TestModels.GameModel();
        var one = MaskSource.Shared(new FeatureMask(new int[10], 1, 2, 5));
        foreach (IAttributionMethod m in new IAttributionMethod[]
                 {
                     new ShapleyValueSampling(model, new ShapleyValueSamplingOptions(one, Baselines: B)),
                     new KernelShap(model, new KernelShapOptions(one, Baselines: B)),
                 })
        {
            var e = m.Attribute(X, TargetSelection.Classes(0));
            Assert.All(e.Values, v => Assert.Equal((e.Outputs[0] - e.BaseValues[0]) / 10, v, 1e-6));
        }

        // Two images with different superpixel counts in one call: each uses its own features; both stay additive.
        using var cnn = new FunctionModel(TestModels.Info(1, 12, 12, 2), x =>
        {
            var f = x.reshape(x.shape[0], 144);
            return torch.stack([f.narrow(1, 0, 70).sum(1).tanh() * f.max(1).values, (f * f).mean([1])], 1);
        });
        var imgs = torch.zeros(2, 1, 12, 12);
        imgs[0, 0, .., ..6] = torch.tensor(0.8f);
        imgs[1, 0, ..4, ..] = torch.tensor(0.5f);
        imgs[1, 0, 8.., ..] = torch.tensor(1f);
        var slic = new BrightnessDependentMask();
        Assert.NotEqual(slic.ForInput(imgs.select(0, 0)).Count, slic.ForInput(imgs.select(0, 1)).Count);
        var svs = new ShapleyValueSampling(cnn, new ShapleyValueSamplingOptions(slic, NSamples: 4, PerturbationsPerEval: 3)).Attribute(imgs, TargetSelection.AllClasses);
        var ks = new KernelShap(cnn, new KernelShapOptions(slic, PerturbationsPerEval: 5)).Attribute(imgs, TargetSelection.AllClasses);
        Assert.True(svs.MaxAdditivityError < 1e-5);
        Assert.True(ks.MaxAdditivityError < 1e-5);
    }

    [Fact]
    public void KernelShap_OnReferenceCnn_WithNinePatches_EqualsBruteForceShapleyValues()
    {
        torch.manual_seed(17);
        using var model = new Glassbox.Models.ImageClassifier(TestModels.Info(1, 12, 12, 10) with { Architecture = Glassbox.Models.Architecture.ReferenceCnn });
        var x = torch.rand(1, 1, 12, 12);
        var b = torch.full(1, 1, 12, 12, 0.3f);
        var grid = GridMask.Create(1, 12, 12, 4); // 3×3 = 9 patches → 510 coalitions, all enumerated by default
        var e = new KernelShap(model, new KernelShapOptions(MaskSource.Shared(grid), Baselines: Baseline.FromImages(b), Spread: FeatureSpread.Repeat))
            .Attribute(x, TargetSelection.Classes(4));

        // Brute force: the value of all 512 coalitions in one batch, then the Shapley formula.
        var ids = torch.tensor(grid.Ids.Select(v => (long)v).ToArray());
        var sets = torch.arange(512).unsqueeze(1);
        var keep = sets.bitwise_right_shift(ids.unsqueeze(0)).bitwise_and(1).to_type(ScalarType.Float32).reshape(512, 1, 12, 12);
        double[] v;
        using (torch.no_grad())
            v = model.Forward(b + keep * (x - b)).select(1, 4).to_type(ScalarType.Float64).data<double>().ToArray();
        var fact = new double[10];
        fact[0] = 1;
        for (int q = 1; q < 10; q++) fact[q] = fact[q - 1] * q;
        var phi = new double[9];
        for (int set = 0; set < 512; set++)
            for (int j = 0; j < 9; j++)
                if ((set >> j & 1) == 0)
                {
                    int size = System.Numerics.BitOperations.PopCount((uint)set);
                    phi[j] += fact[size] * fact[8 - size] / fact[9] * (v[set | 1 << j] - v[set]);
                }
        for (int el = 0; el < 144; el++) Assert.Equal(phi[grid.Ids[el]], e.Values[el], 1e-4);
        Assert.Equal(v[511], e.Outputs[0], 1e-5);
        Assert.Equal(v[0], e.BaseValues[0], 1e-5);
    }
}

/// <summary>A per-image mask: 3×3-pixel patches for bright images, 4×4 for dark ones.</summary>
internal sealed record BrightnessDependentMask : MaskSource
{
    public override bool IsShared => false;
    public override FeatureMask ForInput(Tensor image)
        => GridMask.Create((int)image.shape[0], (int)image.shape[1], (int)image.shape[2], image.mean().item<float>() > 0.4f ? 3 : 4);
    public override string Describe() => "brightness-dependent grid";
}

using Glassbox.Attribution;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Attribution.Perturbation;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Attribution.Perturbation;

public class FeatureAblationTests
{
    [Fact]
    public void FeatureAblation_PerElement_OnLinearModel_EqualsWeightsTimesInputMinusBaseline()
    {
        var (w, bias) = TestModels.RandomLinear(18, 2, seed: 11);
        using var model = TestModels.Linear(2, 3, 3, w, bias);
        torch.manual_seed(12);
        var x = torch.rand(2, 2, 3, 3);
        var e = new FeatureAblation(model, new FeatureAblationOptions(Baselines: Baseline.Constant(0.25f))).Attribute(x, TargetSelection.AllClasses);
        var xv = x.data<float>().ToArray();
        for (int n = 0; n < 2; n++)
            for (int k = 0; k < 2; k++)
            {
                var map = e.Map(n, k);
                for (int el = 0; el < 18; el++) Assert.Equal(w[k, el] * (xv[n * 18 + el] - 0.25), map[el], 1e-5);
            }
    }

    [Fact]
    public void FeatureAblation_WithMask_RepeatsEachFeaturesDropOnItsElements()
    {
        var (w, bias) = TestModels.RandomLinear(2 * 4 * 4, 3, seed: 13);
        using var model = TestModels.Linear(2, 4, 4, w, bias);
        torch.manual_seed(14);
        var x = torch.rand(3, 2, 4, 4);
        var mask = GridMask.Create(2, 4, 4, 2); // four 2×2 patches shared by both channels
        var e = new FeatureAblation(model, new FeatureAblationOptions(MaskSource.Shared(mask), PerturbationsPerEval: 3))
            .Attribute(x, TargetSelection.Classes(2, 0));
        var xv = x.data<float>().ToArray();
        for (int n = 0; n < 3; n++)
            for (int slot = 0; slot < 2; slot++)
            {
                int k = slot == 0 ? 2 : 0;
                var drop = new double[mask.Count];
                for (int el = 0; el < 32; el++) drop[mask.Ids[el]] += w[k, el] * xv[n * 32 + el];
                var map = e.Map(n, slot);
                for (int el = 0; el < 32; el++) Assert.Equal(drop[mask.Ids[el]], map[el], 1e-5);
            }
        Assert.Equal(new[] { 2, 0, 2, 0, 2, 0 }, e.Targets);
    }

    [Fact]
    public void FeatureAblation_WithPerImageMasks_UsesEachImagesOwnFeatures()
    {
        var (w, bias) = TestModels.RandomLinear(64, 2, seed: 15);
        using var model = TestModels.Linear(1, 8, 8, w, bias);
        var x = torch.zeros(2, 1, 8, 8);
        x[0, 0, .., ..4] = torch.tensor(1f);   // left half bright
        x[1, 0, ..4, ..] = torch.tensor(1f);   // top half bright
        var slic = new SlicMask(Segments: 4);
        var e = new FeatureAblation(model, new FeatureAblationOptions(slic)).Attribute(x, TargetSelection.Classes(0));
        var xv = x.data<float>().ToArray();
        for (int n = 0; n < 2; n++)
        {
            using var img = x[n];
            var mask = slic.ForInput(img);
            var drop = new double[mask.Count];
            for (int el = 0; el < 64; el++) drop[mask.Ids[el]] += w[0, el] * xv[n * 64 + el];
            var map = e.Map(n, 0);
            for (int el = 0; el < 64; el++) Assert.Equal(drop[mask.Ids[el]], map[el], 1e-5);
        }
    }

    [Fact]
    public void FeatureAblation_RejectsMaskOfTheWrongShape_AndNaN()
    {
        using var model = TestModels.Linear(1, 4, 4, new double[2, 16], [0, 0]);
        var wrong = new FeatureAblation(model, new FeatureAblationOptions(MaskSource.Shared(GridMask.Create(1, 5, 4, 2))));
        Assert.Throws<GlassboxException>(() => wrong.Attribute(torch.rand(1, 1, 4, 4), TargetSelection.AllClasses));
        var fa = new FeatureAblation(model);
        Assert.Throws<GlassboxException>(() => fa.Attribute(torch.full(1, 1, 4, 4, float.PositiveInfinity), TargetSelection.AllClasses));
        Assert.Throws<GlassboxException>(() => new FeatureAblation(model, new FeatureAblationOptions(PerturbationsPerEval: -1)));
        var badBaseline = new FeatureAblation(model, new FeatureAblationOptions(Baselines: Baseline.FromImages(torch.zeros(3, 1, 4, 4))));
        Assert.Throws<GlassboxException>(() => badBaseline.Attribute(torch.rand(2, 1, 4, 4), TargetSelection.AllClasses));
    }
}

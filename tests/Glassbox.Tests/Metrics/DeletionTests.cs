using Glassbox.Metrics.Faithfulness;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Metrics;

public class DeletionTests
{
    // Class "a" has logit w·x, class "b" logit 0, so p(a) = sigmoid(w·x).
    private static readonly float[] W = [4f, 2f, 1f, 0.5f];

    private static ImageClassifier LinearModel()
    {
        var lin = nn.Linear(4, 2);
        using (torch.no_grad())
        {
            lin.weight!.copy_(torch.tensor(W.Concat(new float[4]).ToArray(), [2, 4]));
            lin.bias!.zero_();
        }
        return new ImageClassifier(new ModelInfo("custom", 1, 2, 2, ["a", "b"]), nn.Sequential(nn.Flatten(), lin));
    }

    /// <summary>p(a) after zeroing the first 0, 1, 2, 3, 4 pixels of <paramref name="order"/>.</summary>
    private static double[] ExpectedCurve(float[] image, int[] order)
    {
        var x = (float[])image.Clone();
        var curve = new double[5];
        for (int s = 0; s <= 4; s++)
        {
            if (s > 0) x[order[s - 1]] = 0;
            double logit = Enumerable.Range(0, 4).Sum(i => (double)W[i] * x[i]);
            curve[s] = 1 / (1 + Math.Exp(-logit));
        }
        return curve;
    }

    [Fact]
    public void Auc_IsTheTrapezoidArea()
    {
        double[] x = [0, 0.5, 1];
        Assert.Equal(1.0, Deletion.Auc(x, [1, 1, 1]), 1e-15);
        Assert.Equal(0.5, Deletion.Auc(x, [1, 0.5, 0]), 1e-15);
        Assert.Equal(0.25, Deletion.Auc(x, [1, 0, 0]), 1e-15);
        // Uneven spacing: 0.25·(0+1)/2 + 0.75·(1+1)/2 = 0.875.
        Assert.Equal(0.875, Deletion.Auc([0, 0.25, 1], [0, 1, 1]), 1e-15);
        Assert.Equal(0.0, Deletion.Auc([0], [5]));
    }

    [Fact]
    public void Evaluate_OnALinearModel_GivesTheHandComputedCurves_AndAttributionOrderBeatsRandom()
    {
        using var model = LinearModel();
        float[] img0 = [1f, 1f, 1f, 1f];
        float[] img1 = [1f, 0.5f, 1f, 1f];
        // Gradient × input: exactly each pixel's contribution to the class-a logit.
        float[] attr0 = img0.Select((v, i) => v * W[i]).ToArray(); // 4, 2, 1, 0.5
        float[] attr1 = img1.Select((v, i) => v * W[i]).ToArray(); // 4, 1, 1, 0.5 (tie → lower index first)
        var result = Deletion.Evaluate(model, [.. img0, .. img1], [.. attr0, .. attr1], [0, 0], new DeletionOptions(Steps: 4, RandomSeed: 3));

        // The random orders: one shuffle per image from Random(seed), in image order.
        var rng = new Random(3);
        int[] r0 = [0, 1, 2, 3], r1 = [0, 1, 2, 3];
        rng.Shuffle(r0);
        rng.Shuffle(r1);
        var e0 = ExpectedCurve(img0, [0, 1, 2, 3]);
        var e1 = ExpectedCurve(img1, [0, 1, 2, 3]);
        var q0 = ExpectedCurve(img0, r0);
        var q1 = ExpectedCurve(img1, r1);

        Assert.Equal(new[] { 0, 0.25, 0.5, 0.75, 1 }, result.Fractions);
        Assert.Equal(2, result.Images);
        for (int s = 0; s <= 4; s++)
        {
            Assert.Equal((e0[s] + e1[s]) / 2, result.AttributionCurve[s], 1e-6);
            Assert.Equal((q0[s] + q1[s]) / 2, result.RandomCurve[s], 1e-6);
        }
        // Unperturbed: p(a) = σ(7.5) and σ(6.5); everything removed: p(a) = σ(0) = 0.5 on both curves.
        Assert.Equal((1 / (1 + Math.Exp(-7.5)) + 1 / (1 + Math.Exp(-6.5))) / 2, result.AttributionCurve[0], 1e-6);
        Assert.Equal(0.5, result.AttributionCurve[4], 1e-6);
        Assert.Equal(0.5, result.RandomCurve[4], 1e-6);
        // After one removal of four: σ(3.5) and σ(2.5).
        Assert.Equal((1 / (1 + Math.Exp(-3.5)) + 1 / (1 + Math.Exp(-2.5))) / 2, result.AttributionCurve[1], 1e-6);

        var x = result.Fractions;
        Assert.Equal(Deletion.Auc(x, result.AttributionCurve), result.AttributionAuc, 1e-12);
        Assert.Equal(Deletion.Auc(x, result.RandomCurve), result.RandomAuc, 1e-12);

        // Removing the largest contributions first is optimal for a linear model, so it cannot be slower than any
        // random order, and it is strictly faster unless the shuffle happened to produce the same order.
        Assert.False(r0.SequenceEqual([0, 1, 2, 3]) && r1.SequenceEqual([0, 1, 2, 3]), "precondition: random order differs");
        Assert.True(result.BeatsRandom, $"attribution AUC {result.AttributionAuc} vs random {result.RandomAuc}");
        Assert.True(result.AttributionAuc < result.RandomAuc - 0.01);
        double expectedShare = new[] { (e0, q0), (e1, q1) }.Count(p => Deletion.Auc(x, p.Item1) < Deletion.Auc(x, p.Item2)) / 2.0;
        Assert.Equal(expectedShare, result.ShareFasterThanRandom);
        Assert.True(result.ShareFasterThanRandom >= 0.5);
    }

    [Fact]
    public void Evaluate_WithReversedAttributions_IsSlowerThanRandom()
    {
        // Least important pixel first: the worst possible order for this linear model.
        using var model = LinearModel();
        float[] img = [1f, 1f, 1f, 1f];
        float[] reversed = W.Select(v => -v).ToArray();
        var result = Deletion.Evaluate(model, img, reversed, [0], new DeletionOptions(Steps: 4, RandomSeed: 3));
        var e = ExpectedCurve(img, [3, 2, 1, 0]);
        for (int s = 0; s <= 4; s++) Assert.Equal(e[s], result.AttributionCurve[s], 1e-6);
        Assert.False(result.BeatsRandom);
        Assert.Equal(0.0, result.ShareFasterThanRandom);
    }

    [Fact]
    public void Evaluate_UsesTheBaselineValue_AndChecksItsArguments()
    {
        using var model = LinearModel();
        float[] img = [1f, 1f, 1f, 1f];
        // Removing to 1 changes nothing: the curve stays at σ(7.5).
        var flat = Deletion.Evaluate(model, img, W, [0], new DeletionOptions(Steps: 2, BaselineValue: 1f));
        Assert.All(flat.AttributionCurve, p => Assert.Equal(1 / (1 + Math.Exp(-7.5)), p, 1e-6));
        Assert.Equal(new[] { 0, 0.5, 1 }, flat.Fractions);

        Assert.Contains("at least one step", Assert.Throws<GlassboxException>(() => Deletion.Evaluate(model, img, W, [0], new DeletionOptions(Steps: 0))).Message);
        Assert.Contains("2 images", Assert.Throws<GlassboxException>(() => Deletion.Evaluate(model, img, W, [0, 0])).Message);
    }
}

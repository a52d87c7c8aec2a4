using Glassbox.Attribution;
using Glassbox.Metrics.Localisation;
using static Glassbox.Tests.Metrics.MetricTestModels;
using static TorchSharp.torch;

namespace Glassbox.Tests.Metrics;

/// <summary>Localisation metrics on hand-computed 2×2 maps (pixels 0 1 / 2 3).</summary>
public class LocalisationMetricTests
{
    private static Explanation Maps(params float[][] maps) => Explain(maps.Length, 1, new int[maps.Length], maps, OutputSpace.Logits);

    private static Tensor Masks(params float[][] masks) => tensor(masks.SelectMany(m => m).ToArray(), [masks.Length, 2, 2]);

    [Fact]
    public void PointingGame_HitsWhenTheMaximumIsOnTheEvidence_WeightedByTheFreeArea()
    {
        var e = Maps([0.1f, 0.9f, 0.2f, 0.3f], [0.1f, 0.9f, 0.2f, 0.3f], [-5f, 1f, 1f, 0f], [1f, 2f, 3f, 4f]);
        using var m = Masks([0, 1, 0, 0], [1, 0, 1, 1], [1, 0, 0, 0], [0, 0, 0, 0]);
        var r = new PointingGame().Evaluate(e, m);
        Assert.Equal(1, r.Scores[0]);
        Assert.Equal(0, r.Scores[1]);
        Assert.Equal(0, r.Scores[2]);          // signed: the max is 1 at pixels 1 and 2, not on pixel 0
        Assert.True(double.IsNaN(r.Scores[3])); // empty mask
        Assert.Equal(1, new PointingGame(new(Absolute: true)).Evaluate(e, m).Scores[2]); // |−5| is the max
        Assert.Equal(0.75, new PointingGame(new(Weighted: true)).Evaluate(e, m).Scores[0], 12); // 1 − 1/4
        // Ties: any maximal pixel on the evidence is a hit.
        using var tie = Masks([0, 0, 1, 0]);
        Assert.Equal(1, new PointingGame().Evaluate(Maps([0f, 1f, 1f, 0f]), tie).Scores[0]);
    }

    [Fact]
    public void RelevanceMassAccuracy_IsTheShareOfTheMapsSumOnTheEvidence()
    {
        var e = Maps([1f, 2f, 3f, 4f], [1f, -2f, 3f, 0f], [1f, -1f, 0f, 0f]);
        using var m = Masks([0, 1, 0, 1], [1, 1, 0, 0], [1, 0, 0, 0]);
        var r = new RelevanceMassAccuracy().Evaluate(e, m);
        Assert.Equal(6.0 / 10, r.Scores[0], 12);
        Assert.Equal(-1.0 / 2, r.Scores[1], 12);
        Assert.True(double.IsNaN(r.Scores[2])); // the map sums to 0
        Assert.Equal(3.0 / 6, new RelevanceMassAccuracy(new(Absolute: true)).Evaluate(e, m).Scores[1], 12);
    }

    [Fact]
    public void RelevanceRankAccuracy_IsTheShareOfTheTopEvidenceSizedPixelsOnTheEvidence()
    {
        var e = Maps([4f, 3f, 2f, 1f], [4f, 3f, 2f, 1f], [-9f, 3f, 2f, 1f]);
        using var m = Masks([1, 0, 1, 0], [1, 1, 0, 0], [1, 1, 0, 0]);
        var r = new RelevanceRankAccuracy().Evaluate(e, m);
        Assert.Equal(0.5, r.Scores[0], 12); // top 2 = {0, 1}; evidence {0, 2}
        Assert.Equal(1, r.Scores[1], 12);
        Assert.Equal(0.5, r.Scores[2], 12); // top 2 = {1, 2}
        Assert.Equal(1, new RelevanceRankAccuracy(new(Absolute: true)).Evaluate(e, m).Scores[2], 12);
    }

    [Fact]
    public void TopKIntersection_CountsEvidenceAmongTheTopK_AndConceptInfluenceDividesByTheAreaShare()
    {
        var e = Maps([4f, 3f, 2f, 1f]);
        using var m = Masks([1, 0, 0, 1]);
        Assert.Equal(1, new TopKIntersection(new(K: 1)).Evaluate(e, m).Scores[0], 12);
        Assert.Equal(1.0 / 3, new TopKIntersection(new(K: 3)).Evaluate(e, m).Scores[0], 12);
        Assert.Equal(1.0 / 3 * 4 / 2, new TopKIntersection(new(K: 3, ConceptInfluence: true)).Evaluate(e, m).Scores[0], 12);
        var ex = Assert.Throws<GlassboxException>(() => new TopKIntersection(new(K: 1000)).Evaluate(e, m));
        Assert.Contains("k = 1000", ex.Message);
        Assert.Contains("4 pixels", ex.Message);
        // The default is Quantus' 1000 of 224×224 as a share of the map: 1 pixel of 4, 16 of 28×28, 1000 of 224×224.
        var byDefault = new TopKIntersection().Evaluate(e, m);
        Assert.Equal(1, byDefault.Scores[0], 12);
        Assert.Equal(1, ((TopKIntersectionOptions)byDefault.Settings).K);
        Assert.Equal(16, TopKIntersection.DefaultK(28 * 28));
        Assert.Equal(1000, TopKIntersection.DefaultK(224 * 224));
    }

    [Fact]
    public void Auc_IsTheProbabilityThatEvidenceOutranksBackground_TiesCountingHalf()
    {
        var e = Maps([4f, 3f, 2f, 1f], [4f, 3f, 2f, 1f], [1f, 1f, 1f, 0f], [1f, 2f, 3f, 4f]);
        using var m = Masks([1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 0, 1], [1, 1, 1, 1]);
        var r = new Auc().Evaluate(e, m);
        Assert.Equal(1, r.Scores[0], 12);
        Assert.Equal(0.75, r.Scores[1], 12); // pairs (0,1) (0,3) (2,1)✗ (2,3): 3 of 4
        Assert.Equal(0.25, r.Scores[2], 12); // pixel 0 ties both negatives (½ + ½ of 4 pairs), pixel 3 loses both
        Assert.True(double.IsNaN(r.Scores[3])); // no background pixel
    }

    [Fact]
    public void LocalisationMetrics_SumChannels_AcceptNx1xHxWMasks_AndScoreEveryTargetAgainstItsImagesMask()
    {
        // One image, two targets, two channels: channel sums are [1, 5, 0, 0] and [3, 0, 0, 1].
        var e = new Explanation("Hand", new object(), [1f, 2f, 0f, 0f, 0f, 3f, 0f, 0f, 1f, 0f, 0f, 0f, 2f, 0f, 0f, 1f],
            [1, 2, 2, 2, 2], [0, 1], OutputSpace.Logits, [double.NaN, double.NaN], [double.NaN, double.NaN], null, 1e-4);
        using var m = tensor(new float[] { 0, 1, 0, 0 }, [1, 1, 2, 2]);
        Assert.Equal([1.0, 0.0], new PointingGame().Evaluate(e, m).Scores);
        Assert.Equal([5.0 / 6, 0.0], new RelevanceMassAccuracy().Evaluate(e, m).Scores);
    }

    [Fact]
    public void LocalisationMetrics_RefuseMasksThatDoNotFitTheExplainedImages()
    {
        var e = Maps([1f, 2f, 3f, 4f], [1f, 2f, 3f, 4f]);
        using var one = Masks([1, 0, 0, 0]);
        var ex = Assert.Throws<GlassboxException>(() => new PointingGame().Evaluate(e, one));
        Assert.Contains("2×2×2", ex.Message);
        Assert.Contains("1×2×2", ex.Message);
        using var nan = tensor(new[] { float.NaN, 0, 0, 0, 0, 0, 0, 0 }, [2, 2, 2]);
        Assert.Contains("NaN", Assert.Throws<GlassboxException>(() => new Auc().Evaluate(e, nan)).Message);
    }
}

using Glassbox.Attribution;
using Glassbox.Metrics;
using Glassbox.Metrics.Faithfulness;
using static Glassbox.Tests.Metrics.MetricTestModels;

namespace Glassbox.Tests.Metrics.Faithfulness;

public class InsertionTests
{
    private static readonly float[] Ones = [1f, 1f, 1f, 1f];

    [Fact]
    public void Insertion_FromAConstant_IsTheHandComputedArea()
    {
        // Start 0.5 everywhere (a = 3.75), insert pixels 0, 1, 2, 3 of x = 1111: a = 3.75, 5.75, 6.75, 7.25, 7.5.
        using var model = Linear();
        using var x = Images(Ones);
        var e = Explain(1, 1, [0], [W], OutputSpace.Logits);
        var metric = new Insertion(new InsertionOptions(Steps: 4, Baseline: Baseline.Constant(0.5f)));
        Assert.Equal("insertion", metric.Name);
        Assert.True(metric.HigherIsBetter);
        var r = metric.Evaluate(model, x, e);
        var curves = Assert.IsType<DeletionCurves>(r.Detail);
        Assert.Equal(new[] { 3.75, 5.75, 6.75, 7.25, 7.5 }, curves.Attribution[0].Select(v => Math.Round(v, 5)));
        Assert.Equal(6.34375, r.Scores[0], 1e-5); // 0.25 · (4.75 + 6.25 + 7 + 7.375)
        // Inserting the most relevant first is optimal for a linear model: never below random order.
        Assert.True(curves.HigherIsBetter);
        int[] random = [0, 1, 2, 3];
        new Random(0).Shuffle(random);
        Assert.False(random.SequenceEqual([0, 1, 2, 3]), "precondition: the random order differs");
        Assert.True(r.Scores[0] > curves.RandomAuc![0]);
        Assert.Equal(1.0, curves.ShareFasterThanRandom);
    }

    [Fact]
    public void Insertion_IsDeletionLerfRunBackwards()
    {
        // Inserting the top s of F features = removing the F − s least relevant: the curves mirror each other.
        using var model = Linear();
        using var x = Images([1f, 0.5f, 0.25f, 1f], [0f, 1f, 1f, 0.5f]);
        var e = Explain(2, 2, [0, 1, 1, 0], [[3f, -1f, 2f, 0f], [0.5f, 1f, -2f, 4f], [1f, 2f, 3f, 4f], [-1f, 0f, 2f, 1f]], OutputSpace.Probabilities);
        var insert = new Insertion(new InsertionOptions(Steps: 4, Baseline: Baseline.Constant(0.2f), CompareRandom: false)).Evaluate(model, x, e);
        var delete = new Deletion(new DeletionOptions(Steps: 4, Baseline: Baseline.Constant(0.2f), Order: "lerf", CompareRandom: false)).Evaluate(model, x, e);
        var ins = Assert.IsType<DeletionCurves>(insert.Detail).Attribution;
        var del = Assert.IsType<DeletionCurves>(delete.Detail).Attribution;
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(del[i].Reverse(), ins[i].Select(v => v), new ToleranceComparer(1e-6));
            Assert.Equal(delete.Scores[i], insert.Scores[i], 1e-6);
        }
    }

    [Fact]
    public void Insertion_DefaultsToTheBlurredInput_AndMorfBeatsLerf()
    {
        using var model = Linear();
        using var x = Images([1f, 0f, 0.5f, 1f]);
        var e = Explain(1, 1, [0], [[4f, 0f, 0.5f, 0.5f]], OutputSpace.Logits);
        var r = new Insertion(new InsertionOptions(Steps: 4, CompareRandom: false)).Evaluate(model, x, e);
        var curve = Assert.IsType<DeletionCurves>(r.Detail).Attribution[0];
        using var blurred = Baseline.GaussianBlur(x, 5);
        var b = blurred.data<float>().ToArray();
        Assert.Equal(W.Select((w, i) => (double)w * b[i]).Sum(), curve[0], 1e-5);
        Assert.Equal(5.0, curve[4], 1e-5); // a(x) = 4 + 0.5 + 0.5
        var lerf = new Insertion(new InsertionOptions(Steps: 4, CompareRandom: false, Order: "lerf")).Evaluate(model, x, e);
        Assert.True(r.Scores[0] > lerf.Scores[0]);
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(double v) => 0;
    }
}

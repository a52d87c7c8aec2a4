using Glassbox.Attribution;
using Glassbox.Metrics;
using Glassbox.Metrics.Axiomatic;
using static Glassbox.Tests.Metrics.MetricTestModels;

namespace Glassbox.Tests.Metrics;

public class CompletenessMetricTests
{
    private static readonly float[] Ones = [1f, 1f, 1f, 1f];

    [Fact]
    public void Completeness_UsesTheExplanationsOutputsAndBaseValues_WhenItHasThem()
    {
        // Σφ = 7.5, 6 and 1; errors |10 − 2 − 7.5| = 0.5, |6 − 0 − 6| = 0, |−1 − 1 − 1| = 3.
        using var model = Linear();
        using var x = Images(Ones, Ones, Ones);
        var e = Explain(3, 1, [0, 1, 0], [W, V, [1f, 0f, 0f, 0f]], OutputSpace.Logits, outputs: [10, 6, -1], baseValues: [2, 0, 1]);
        var r = new Completeness().Evaluate(model, x, e);
        Assert.Equal("completeness", r.Metric);
        Assert.Equal(new[] { 0.5, 0.0, 3.0 }, r.Scores);
        var report = Assert.IsType<CompletenessReport>(r.Detail);
        Assert.Equal(3, report.Count);
        Assert.Equal(3.0, report.Max);
        Assert.Equal(3.5 / 3, report.Mean, 1e-15);
        Assert.Equal(0.5, report.Median);
        Assert.Equal(3.0 / 1, report.MaxRelative); // 3/max(1,1) beats 0.5/10
        Assert.Equal(2, report.Failures);          // tolerance 1e-4: only the exact map passes
        Assert.Equal(1e-4, report.Tolerance);
    }

    [Fact]
    public void Completeness_Report_IsCompletenessReportOf_TheSameErrors()
    {
        using var model = Linear();
        using var x = Images(Ones, Ones);
        var e = Explain(2, 1, [0, 0], [W, W], OutputSpace.Logits, outputs: [7.5, 7.6], baseValues: [0, 0]);
        var r = new Completeness(new CompletenessOptions(Tolerance: 0.02)).Evaluate(model, x, e);
        var expected = CompletenessReport.Of(e with { AdditivityErrors = r.Scores, AdditivityTolerance = 0.02 });
        Assert.Equal(expected, r.Detail);
        Assert.Equal(0.1, r.Scores[1], 1e-12);
        Assert.Equal(0, ((CompletenessReport)r.Detail!).Failures); // 0.1 ≤ 0.02 · 7.6 = 0.152
        var strict = Assert.IsType<CompletenessReport>(new Completeness().Evaluate(model, x, e).Detail); // the explanation's 1e-4
        Assert.Equal(1, strict.Failures);
    }

    [Fact]
    public void Completeness_WithAConstantBaseline_EvaluatesTheModel_ForEveryTarget()
    {
        // x = 1111, x′ = 0.5: a(x) = 7.5, a(x′) = 3.75; b(x) = 6, b(x′) = 3. IG-exact maps (w ⊙ (x − x′)) are complete;
        // the maps w ⊙ x overshoot by a(x′) and b(x′).
        using var model = Linear();
        using var x = Images(Ones);
        float[] ga = W.Select(w => w * 0.5f).ToArray(), gb = V.Select(v => v * 0.5f).ToArray();
        var metric = new Completeness(new CompletenessOptions(Baseline: Baseline.Constant(0.5f)));
        var exact = metric.Evaluate(model, x, Explain(1, 2, [0, 1], [ga, gb], OutputSpace.Logits));
        Assert.Equal(0, exact.Scores[0], 1e-5);
        Assert.Equal(0, exact.Scores[1], 1e-5);
        // The baseline option overrides the explanation's own base values.
        var over = metric.Evaluate(model, x, Explain(1, 2, [0, 1], [W, V], OutputSpace.Logits, outputs: [7.5, 6], baseValues: [0, 0]));
        Assert.Equal(3.75, over.Scores[0], 1e-5);
        Assert.Equal(3.0, over.Scores[1], 1e-5);
    }

    [Fact]
    public void Completeness_WithoutOutputsOrBaseValues_UsesBlack_InTheExplanationsOutputSpace()
    {
        // p(a) = σ(a − b): σ(1.5) at x = 1111 and σ(0) = 0.5 at black; Σφ = 0.25.
        using var model = Linear();
        using var x = Images(Ones);
        var r = new Completeness().Evaluate(model, x, Explain(1, 1, [0], [[0.25f, 0f, 0f, 0f]], OutputSpace.Probabilities));
        Assert.Equal(Math.Abs(Sigmoid(1.5) - 0.5 - 0.25), r.Scores[0], 1e-6);
        // Logits: a(black) = 0, so the map W (Σ 7.5) is complete.
        var logits = new Completeness().Evaluate(model, x, Explain(1, 1, [0], [W], OutputSpace.Logits));
        Assert.Equal(0, logits.Scores[0], 1e-5);
    }

    [Fact]
    public void Completeness_DeclaresItself()
    {
        var metric = new Completeness();
        Assert.Equal(MetricCategory.Axiomatic, metric.Category);
        Assert.False(metric.HigherIsBetter);
        Assert.Equal(MetricRequirement.Forward, metric.Requirement);
        Assert.Null(metric.Options.Baseline);
    }
}

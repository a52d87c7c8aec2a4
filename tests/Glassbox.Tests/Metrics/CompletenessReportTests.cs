using Glassbox.Attribution;
using Glassbox.Metrics.Axiomatic;

namespace Glassbox.Tests.Metrics;

public class CompletenessReportTests
{
    private static Explanation Make(double[] outputs, double[]? errors, double tolerance)
    {
        int n = outputs.Length;
        return new Explanation("Hand", new object(), new float[n], [n, 1, 1, 1, 1], new int[n], OutputSpace.Logits,
            outputs, new double[n], errors, tolerance);
    }

    [Fact]
    public void Of_HandMadeExplanation_GivesMaxMeanMedianP99RelativeAndFailures()
    {
        // Bounds tolerance·max(1,|f|) = 0.3, 0.03, 0.12, 0.06, 0.03: errors 0.5 and 0.2 exceed theirs.
        var e = Make(outputs: [10, 0.5, -4, 2, 1], errors: [0.5, 0.2, 0.1, 0.05, 0.0], tolerance: 0.03);
        var r = CompletenessReport.Of(e);
        Assert.Equal(5, r.Count);
        Assert.Equal(0.5, r.Max, 1e-15);
        Assert.Equal(0.17, r.Mean, 1e-15);
        Assert.Equal(0.1, r.Median, 1e-15);  // sorted 0, 0.05, 0.1, 0.2, 0.5
        Assert.Equal(0.5, r.P99, 1e-15);
        Assert.Equal(0.2, r.MaxRelative, 1e-15); // 0.2/max(1,0.5) beats 0.5/10
        Assert.Equal(2, r.Failures);
        Assert.Equal(0.03, r.Tolerance);
        Assert.False(r.Holds);
    }

    [Fact]
    public void Of_EvenCount_UsesTheNearestRankMedian()
    {
        // Nearest-rank percentiles: the median of 4 values is the 2nd smallest (not the mean of the middle two).
        var r = CompletenessReport.Of(Make([0, 0, 0, 0], [4e-6, 1e-6, 3e-6, 2e-6], 1e-5));
        Assert.Equal(2e-6, r.Median, 1e-18);
        Assert.Equal(4e-6, r.P99, 1e-18);
        Assert.Equal(2.5e-6, r.Mean, 1e-18);
        Assert.Equal(0, r.Failures);
        Assert.True(r.Holds);
    }

    [Fact]
    public void Of_NaNError_CountsAsAFailure_AndShowsInMax()
    {
        var r = CompletenessReport.Of(Make([1, 1, 1], [2e-4, double.NaN, 1e-4], 1e-3));
        Assert.Equal(1, r.Failures);
        Assert.False(r.Holds);
        Assert.True(double.IsNaN(r.Max), $"Max {r.Max}");
        Assert.True(double.IsNaN(r.MaxRelative), $"MaxRelative {r.MaxRelative}");
        Assert.True(double.IsNaN(r.P99));
        Assert.Equal(2e-4, r.Median, 1e-18);
    }

    [Fact]
    public void Of_NoErrors_ThrowsOrReportsZero()
    {
        Assert.Contains("Hand reports no additivity errors", Assert.Throws<ArgumentException>(() => CompletenessReport.Of(Make([1], null, 1e-3))).Message);
        var empty = CompletenessReport.Of(new Explanation("Hand", new object(), [], [0, 1, 1, 1, 1], [], OutputSpace.Logits, [], [], [], 1e-3));
        Assert.Equal(new CompletenessReport(0, 0, 0, 0, 0, 0, 0, 1e-3), empty);
        Assert.True(empty.Holds);
    }
}

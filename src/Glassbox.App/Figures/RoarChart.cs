using Glassbox.IO;
using Glassbox.Visualization.Charts;
using ScottPlot;

namespace Glassbox.App;

/// <summary>The ROAR chart (Hooker et al. 2019, Fig. 4): retrained test accuracy against the share of pixels removed.</summary>
public static class RoarChart
{
    /// <summary>
    /// One line per method, the random-removal baseline (named <see cref="RoarJob.RandomName"/>) dashed grey; the legend
    /// gives each method's mean gap to random (positive = accuracy falls faster than random, as a faithful ranking should).
    /// Written atomically to <paramref name="path"/>.
    /// </summary>
    public static void Save(string path, IReadOnlyList<RoarCurve> curves, string title)
        => AtomicFile.WriteAllBytes(path, Render(curves, title));

    /// <summary>The chart as PNG bytes.</summary>
    public static byte[] Render(IReadOnlyList<RoarCurve> curves, string title)
    {
        if (curves.Count == 0) throw new GlassboxException("No ROAR curves to plot.");
        var options = new ChartOptions(title);
        using var plot = new Plot();
        ChartPng.Style(plot, options);
        int colour = 0;
        foreach (var c in curves)
        {
            double[] x = c.Percents.Select(p => (double)p).ToArray();
            bool random = c.Method == RoarJob.RandomName;
            var line = plot.Add.Scatter(x, c.Accuracy, random ? Color.FromHex("#777777") : ChartPng.SeriesColor(colour++));
            line.LineWidth = random ? 2 : 2.5f;
            line.MarkerSize = 6;
            if (random) line.LinePattern = LinePattern.Dashed;
            line.LegendText = random ? "random removal" : $"{c.Method} (gap to random {c.MeanGapToRandom * 100:+0.0;-0.0;0.0} pts)";
        }
        plot.Title(title);
        plot.XLabel("pixels removed per image (%), model retrained");
        plot.YLabel("test accuracy");
        plot.Axes.SetLimitsX(-3, 103);
        plot.Axes.SetLimitsY(0, 1.02);
        plot.ShowLegend(Alignment.LowerLeft);
        return ChartPng.Render(plot, options.Width, options.Height);
    }
}

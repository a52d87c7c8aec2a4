using Glassbox.IO;
using ScottPlot;

namespace Glassbox.Visualization.Charts;

/// <summary>One named curve: class score (Y) after removing a fraction X of the pixels.</summary>
/// <param name="Name">Legend name, e.g. "attribution order" or "random order".</param>
/// <param name="X">Fractions of pixels removed, increasing, within [0, 1].</param>
/// <param name="Y">Class score at each fraction.</param>
public sealed record CurveSeries(string Name, double[] X, double[] Y);

/// <summary>Deletion curves (pixel flipping): a faithful attribution makes the score fall fastest; the legend shows each curve's AUC.</summary>
public static class DeletionCurveChart
{
    /// <summary>Default title, axis labels and size.</summary>
    public static ChartOptions DefaultOptions => new("Deletion curves");

    /// <summary>Renders the curves as PNG bytes.</summary>
    public static byte[] Render(IReadOnlyList<CurveSeries> series, ChartOptions? options = null, string yLabel = "class score")
    {
        options ??= DefaultOptions;
        options.Validate();
        if (series.Count == 0) throw new GlassboxException("No deletion curves to plot; pass at least one series.");
        using var plot = new Plot();
        ChartPng.Style(plot, options);
        for (int i = 0; i < series.Count; i++)
        {
            var s = series[i];
            double auc = CurveArea.Trapezoid(s.X, s.Y);
            var line = plot.Add.Scatter(s.X, s.Y, ChartPng.SeriesColor(i));
            line.LineWidth = 2.5f;
            line.MarkerSize = s.X.Length <= 30 ? 5 : 0;
            line.LegendText = $"{s.Name} (AUC = {NumberFormat.Compact(auc)})";
        }
        plot.Title(options.Title);
        plot.XLabel("fraction of pixels removed");
        plot.YLabel(yLabel);
        plot.Axes.SetLimitsX(-0.02, 1.02);
        plot.ShowLegend(Alignment.UpperRight);
        return ChartPng.Render(plot, options.Width, options.Height);
    }

    /// <summary>Renders and writes the PNG to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, IReadOnlyList<CurveSeries> series, ChartOptions? options = null, string yLabel = "class score")
        => AtomicFile.WriteAllBytes(path, Render(series, options, yLabel));
}

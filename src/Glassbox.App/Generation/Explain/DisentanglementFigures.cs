using Glassbox.IO;
using Glassbox.Visualization.Charts;
using ScottPlot;

namespace Glassbox.App.Generation.Explain;

/// <summary>One group of bars in a scorecard chart: a model (or a β) with the mean and spread of each score.</summary>
/// <param name="Label">Legend text.</param>
/// <param name="Means">Mean of each score, in the order of the chart's score names.</param>
/// <param name="Spreads">Standard deviation of each score (0 = none drawn).</param>
public sealed record ScoreGroup(string Label, IReadOnlyList<double> Means, IReadOnlyList<double> Spreads);

/// <summary>Charts of the disentanglement scorecard, drawn with the library's chart style.</summary>
public static class DisentanglementFigures
{
    /// <summary>Bars of every score (x) for every group (colour), whiskers ± one standard deviation; written atomically.</summary>
    public static void ScoreBars(string path, string title, IReadOnlyList<string> scores, IReadOnlyList<ScoreGroup> groups, string spreadLabel)
    {
        if (scores.Count == 0 || groups.Count == 0) throw new GlassboxException("No disentanglement scores to plot.");
        var options = new ChartOptions(title, Width: Math.Max(820, 120 + 120 * scores.Count), Height: 480);
        using var plot = new Plot();
        ChartPng.Style(plot, options);
        double width = 0.8 / groups.Count;
        var whisker = Color.FromHex("#222222");
        double X(int g, int s) => s - 0.4 + width * (g + 0.5);
        for (int g = 0; g < groups.Count; g++)
        {
            var bars = Enumerable.Range(0, scores.Count).Select(s => new Bar
            {
                Position = X(g, s), Value = groups[g].Means[s], Size = width * 0.9, FillColor = ChartPng.SeriesColor(g), LineWidth = 0,
            }).ToList();
            var added = plot.Add.Bars(bars);
            if (groups.Count > 1) added.LegendText = groups[g].Label;
        }
        // Whiskers after every bar, so the lower half is drawn over the bar.
        for (int g = 0; g < groups.Count; g++)
            for (int s = 0; s < scores.Count; s++)
            {
                double sd = groups[g].Spreads[s], x = X(g, s);
                if (!(sd > 0)) continue;
                double lo = groups[g].Means[s] - sd, hi = groups[g].Means[s] + sd;
                plot.Add.Line(x, lo, x, hi).Color = whisker;
                plot.Add.Line(x - width * 0.2, lo, x + width * 0.2, lo).Color = whisker;
                plot.Add.Line(x - width * 0.2, hi, x + width * 0.2, hi).Color = whisker;
            }
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int s = 0; s < scores.Count; s++) ticks.AddMajor(s, scores[s].Replace(' ', '\n'));
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.SetLimits(-0.6, scores.Count - 0.4, 0, 1.05);
        plot.Title(options.Title);
        plot.YLabel("score (1 = disentangled)");
        plot.XLabel($"whiskers: ± 1 sd {spreadLabel}");
        if (groups.Count > 1) plot.ShowLegend(Edge.Right);
        AtomicFile.WriteAllBytes(path, ChartPng.Render(plot, options.Width, options.Height));
    }

    /// <summary>Heat map of I(z_d; v_k) / H(v_k): rows = latent dimensions, columns = factors; written atomically.</summary>
    public static void MutualInformationMap(string path, double[][] normalised, IReadOnlyList<string> factors)
    {
        int d = normalised.Length, k = factors.Count;
        var options = new ChartOptions("Normalised mutual information I(z; v) / H(v)", Width: 300 + 90 * k, Height: Math.Max(360, 120 + 26 * d));
        using var plot = new Plot();
        ChartPng.Style(plot, options);
        var data = new double[d, k];
        for (int i = 0; i < d; i++)
            for (int j = 0; j < k; j++) data[i, j] = normalised[i][j];
        var map = plot.Add.Heatmap(data);
        map.Colormap = new ScottPlot.Colormaps.Viridis();
        map.ManualRange = new ScottPlot.Range(0, 1);
        plot.Add.ColorBar(map);
        var xt = new ScottPlot.TickGenerators.NumericManual();
        for (int j = 0; j < k; j++) xt.AddMajor(j, factors[j]);
        var yt = new ScottPlot.TickGenerators.NumericManual();
        for (int i = 0; i < d; i++) yt.AddMajor(d - 1 - i, $"z{i}");
        plot.Axes.Bottom.TickGenerator = xt;
        plot.Axes.Left.TickGenerator = yt;
        plot.Title(options.Title);
        plot.XLabel("factor");
        plot.YLabel("latent dimension");
        AtomicFile.WriteAllBytes(path, ChartPng.Render(plot, options.Width, options.Height));
    }
}

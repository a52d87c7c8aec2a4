using Glassbox.IO;
using Glassbox.Visualization;
using Glassbox.Visualization.Charts;
using ScottPlot;

namespace Glassbox.App;

/// <summary>One method's bar in a metric's chart.</summary>
/// <param name="Method">Method name.</param>
/// <param name="Mean">Mean score.</param>
/// <param name="Low">Lower bound of the 95 % interval (NaN: none).</param>
/// <param name="High">Upper bound (NaN: none).</param>
/// <param name="Rank">1 = best, or null.</param>
public sealed record MetricBar(string Method, double Mean, double Low, double High, int? Rank);

/// <summary>The charts of <c>glassbox evaluate</c>: per-metric bars with interval whiskers, mean curves per method, the randomisation cascade.</summary>
public static class EvaluationFigures
{
    /// <summary>One bar per method (mean score) with its 95 % bootstrap interval as a whisker; the best is marked in the label.</summary>
    public static void MetricBars(string path, string metric, bool higherIsBetter, IReadOnlyList<MetricBar> bars)
    {
        if (bars.Count == 0) throw new GlassboxException($"No scores of {metric} to plot.");
        var options = new ChartOptions($"{metric} ({(higherIsBetter ? "higher" : "lower")} is better)", Width: Math.Max(520, 140 + 110 * bars.Count), Height: 460);
        using var plot = new Plot();
        ChartPng.Style(plot, options);
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        var whisker = Color.FromHex("#222222");
        for (int i = 0; i < bars.Count; i++)
        {
            var b = bars[i];
            plot.Add.Bars(new List<Bar> { new Bar { Position = i, Value = b.Mean, Size = 0.7, FillColor = ChartPng.SeriesColor(i), LineWidth = 0 } });
            if (double.IsFinite(b.Low) && double.IsFinite(b.High))
            {
                plot.Add.Line(i, b.Low, i, b.High).Color = whisker;
                plot.Add.Line(i - 0.12, b.Low, i + 0.12, b.Low).Color = whisker;
                plot.Add.Line(i - 0.12, b.High, i + 0.12, b.High).Color = whisker;
            }
            ticks.AddMajor(i, b.Rank is int r ? $"{b.Method}\n#{r}" : b.Method);
        }
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.SetLimitsX(-0.6, bars.Count - 0.4);
        plot.Title(options.Title);
        plot.YLabel("mean score (whiskers: 95 % bootstrap CI)");
        AtomicFile.WriteAllBytes(path, ChartPng.Render(plot, options.Width, options.Height));
    }

    /// <summary>Mean curves of a curve metric (deletion, insertion): one line per method, the methods' mean random-order curve dashed.</summary>
    public static void Curves(string path, string metric, IReadOnlyList<(string Method, CurveSummary Curves)> curves, string yLabel)
    {
        if (curves.Count == 0) throw new GlassboxException($"No {metric} curves to plot.");
        var options = new ChartOptions($"{metric}: mean explained output per method");
        using var plot = new Plot();
        ChartPng.Style(plot, options);
        for (int i = 0; i < curves.Count; i++)
        {
            var (method, c) = curves[i];
            var line = plot.Add.Scatter(c.Fractions, c.Attribution, ChartPng.SeriesColor(i));
            line.LineWidth = 2.5f;
            line.MarkerSize = c.Fractions.Length <= 30 ? 4 : 0;
            line.LegendText = $"{method} (AUC = {NumberFormat.Compact(CurveArea.Trapezoid(c.Fractions, c.Attribution))})";
        }
        var randoms = curves.Where(c => c.Curves.Random is not null && c.Curves.Random.Length == c.Curves.Fractions.Length).ToList();
        if (randoms.Count > 0 && randoms.All(c => c.Curves.Fractions.SequenceEqual(randoms[0].Curves.Fractions)))
        {
            var x = randoms[0].Curves.Fractions;
            var y = Enumerable.Range(0, x.Length).Select(p => randoms.Average(c => c.Curves.Random![p])).ToArray();
            var line = plot.Add.Scatter(x, y, Color.FromHex("#777777"));
            line.LineWidth = 2;
            line.LinePattern = LinePattern.Dashed;
            line.MarkerSize = 0;
            line.LegendText = $"random order (AUC = {NumberFormat.Compact(CurveArea.Trapezoid(x, y))})";
        }
        plot.Title(options.Title);
        plot.XLabel(metric.Contains("insertion", StringComparison.OrdinalIgnoreCase) ? "fraction of pixels inserted" : "fraction of pixels removed");
        plot.YLabel(yLabel);
        plot.Axes.SetLimitsX(-0.02, 1.02);
        plot.ShowLegend(Alignment.UpperRight);
        AtomicFile.WriteAllBytes(path, ChartPng.Render(plot, options.Width, options.Height));
    }

    /// <summary>Mean similarity to the original maps at each randomisation step, one line per method.</summary>
    public static void CascadeSimilarity(string path, string metric, IReadOnlyList<(string Method, CascadeSummary Cascade)> cascades)
    {
        if (cascades.Count == 0) throw new GlassboxException($"No {metric} steps to plot.");
        var steps = cascades.OrderByDescending(c => c.Cascade.Steps.Count).First().Cascade.Steps;
        var options = new ChartOptions($"{metric}: similarity to the original explanation", Width: Math.Max(820, 120 + 70 * steps.Count));
        using var plot = new Plot();
        ChartPng.Style(plot, options);
        for (int i = 0; i < cascades.Count; i++)
        {
            var (method, c) = cascades[i];
            var x = Enumerable.Range(0, c.MeanSimilarity.Length).Select(v => (double)v).ToArray();
            var line = plot.Add.Scatter(x, c.MeanSimilarity, ChartPng.SeriesColor(i));
            line.LineWidth = 2.5f;
            line.MarkerSize = 6;
            line.LegendText = method;
        }
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        for (int s = 0; s < steps.Count; s++) ticks.AddMajor(s, steps[s]);
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.Bottom.TickLabelStyle.Rotation = steps.Count > 5 ? 30 : 0;
        plot.Axes.Bottom.TickLabelStyle.Alignment = steps.Count > 5 ? Alignment.MiddleLeft : Alignment.UpperCenter;
        plot.Title(options.Title);
        plot.XLabel(cascades[0].Cascade.Cascading ? "layers randomised (cascading from the output)" : "layer randomised (independently)");
        plot.YLabel($"mean {cascades[0].Cascade.Similarity}");
        plot.ShowLegend(Alignment.UpperRight);
        AtomicFile.WriteAllBytes(path, ChartPng.Render(plot, options.Width, options.Height));
    }

    /// <summary>The first image's map at each randomisation step, in one row (shared colour scale: maps that fade show the method depends on the weights).</summary>
    public static void CascadeMaps(string path, string method, CascadeSummary cascade, float[] image)
    {
        int c = cascade.MapShape[0], h = cascade.MapShape[1], w = cascade.MapShape[2], k = cascade.FirstMaps.Length;
        if (k == 0) throw new GlassboxException($"The randomisation of {method} returned no maps to draw.");
        var values = cascade.FirstMaps.SelectMany(m => m).ToArray();
        var titles = new[] { cascade.Steps.Take(k).Select(Short).ToArray() };
        var data = new ImagePlotData(image, values, 1, k, c, h, w, titles, [method]);
        ImagePlot.Save(path, data, new ImagePlotOptions { ColorbarLabel = $"{method} attribution" });
    }

    private static string Short(string step) => step.Length <= 18 ? step : "…" + step[^17..];
}

using System.Globalization;
using Glassbox.IO;
using ScottPlot;

namespace Glassbox.Visualization.Charts;

/// <summary>
/// Histogram of additivity errors |Σ attributions − (f(x) − base)| on a log10 axis, with the tolerance marked and
/// the errors above it drawn in red. Exact zeros cannot sit on a log axis; they are counted in the title.
/// </summary>
public static class AdditivityHistogram
{
    /// <summary>Default title and size.</summary>
    public static ChartOptions DefaultOptions => new("Additivity error");

    /// <summary>Renders the histogram as PNG bytes; <paramref name="tolerance"/> (if given) is drawn as a vertical line.</summary>
    public static byte[] Render(IReadOnlyList<double> errors, double? tolerance = null, ChartOptions? options = null, int bins = 30)
    {
        options ??= DefaultOptions;
        options.Validate();
        if (errors.Count == 0) throw new GlassboxException("No additivity errors to plot; pass at least one value.");
        if (bins < 2) throw new GlassboxException($"Bins {bins} must be at least 2.");
        if (tolerance is <= 0) throw new GlassboxException($"Tolerance {tolerance} must be positive to be drawn on a log axis.");
        double[] abs = errors.Select(Math.Abs).ToArray();
        if (abs.Any(e => !double.IsFinite(e)))
            throw new GlassboxException("Some additivity errors are NaN or infinite; check the explanations before plotting them.");

        double[] logs = abs.Where(e => e > 0).Select(Math.Log10).ToArray();
        int zeros = abs.Length - logs.Length;
        double lo = logs.Length > 0 ? Math.Floor(logs.Min()) : -6, hi = logs.Length > 0 ? Math.Ceiling(logs.Max()) : 0;
        if (tolerance is double t) { lo = Math.Min(lo, Math.Floor(Math.Log10(t))); hi = Math.Max(hi, Math.Ceiling(Math.Log10(t))); }
        if (hi - lo < 1) hi = lo + 1;
        double width = (hi - lo) / bins;
        var counts = new int[bins];
        foreach (double l in logs) counts[Math.Clamp((int)((l - lo) / width), 0, bins - 1)]++;

        using var plot = new Plot();
        ChartPng.Style(plot, options);
        var red = Color.FromHex("#C62828");
        var ok = Color.FromHex("#5B8DB8");
        var bars = new List<Bar>();
        for (int b = 0; b < bins; b++)
        {
            if (counts[b] == 0) continue;
            double center = lo + (b + 0.5) * width;
            bool above = tolerance is double tol && center > Math.Log10(tol);
            bars.Add(new Bar { Position = center, Value = counts[b], Size = width * 0.92, FillColor = above ? red : ok, LineWidth = 0 });
        }
        plot.Add.Bars(bars);
        int over = 0;
        if (tolerance is double tl)
        {
            over = abs.Count(e => e > tl);
            var line = plot.Add.VerticalLine(Math.Log10(tl), 2, red, LinePattern.Dashed);
            line.LegendText = $"tolerance {Sci(tl)}: {over} of {abs.Length} above";
            plot.ShowLegend(Alignment.UpperRight);
        }
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        int step = Math.Max(1, (int)Math.Ceiling((hi - lo) / 10));
        for (int d = (int)lo; d <= (int)hi; d += step) ticks.AddMajor(d, Sci(Math.Pow(10, d)));
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.SetLimitsX(lo - width, hi + width);
        plot.Axes.Margins(bottom: 0);
        string zeroNote = zeros > 0 ? $"; {zeros} exactly 0, not shown" : "";
        plot.Title($"{options.Title} (n = {abs.Length}{zeroNote})");
        plot.XLabel("|Σ attributions − (f(x) − base)|  (log scale)");
        plot.YLabel("explanations");
        return ChartPng.Render(plot, options.Width, options.Height);
    }

    /// <summary>Renders and writes the PNG to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, IReadOnlyList<double> errors, double? tolerance = null, ChartOptions? options = null, int bins = 30)
        => AtomicFile.WriteAllBytes(path, Render(errors, tolerance, options, bins));

    private static string Sci(double v) => v.ToString("0.##e+0", CultureInfo.InvariantCulture)
        .Replace("e+0", "", StringComparison.Ordinal).Replace("e+", "e", StringComparison.Ordinal);
}

using Glassbox.IO;
using Glassbox.Metrics.Faithfulness;
using Glassbox.Training;

namespace Glassbox.Workflow;

/// <summary>ScottPlot charts of the reference workflow: deletion curves, training history, additivity errors.</summary>
public static class DemoCharts
{
    private const int Width = 760, Height = 420;

    /// <summary>Mean deletion curves (attribution order vs random order) for each model, AUC in the legend.</summary>
    public static void Deletion(string path, IReadOnlyList<(string Model, DeletionResult Result)> curves)
    {
        var plt = new ScottPlot.Plot();
        var colors = new[] { ScottPlot.Colors.C0, ScottPlot.Colors.C1, ScottPlot.Colors.C2, ScottPlot.Colors.C3 };
        for (int i = 0; i < curves.Count; i++)
        {
            var (name, r) = curves[i];
            var a = plt.Add.Scatter(r.Fractions, r.AttributionCurve, colors[i % colors.Length]);
            a.LegendText = $"{name}: by attribution (AUC {r.AttributionAuc:F3})";
            a.LineWidth = 2;
            var b = plt.Add.Scatter(r.Fractions, r.RandomCurve, colors[i % colors.Length]);
            b.LegendText = $"{name}: random order (AUC {r.RandomAuc:F3})";
            b.LinePattern = ScottPlot.LinePattern.Dashed;
            b.LineWidth = 2;
        }
        plt.Title("Deletion: class probability as pixels are removed");
        plt.XLabel("fraction of pixels removed (set to 0)");
        plt.YLabel("mean probability of the true class");
        plt.Axes.SetLimits(0, 1, 0, 1.02);
        plt.ShowLegend(ScottPlot.Alignment.UpperRight);
        Save(plt, path);
    }

    /// <summary>Held-out accuracy and training loss per epoch for each model.</summary>
    public static void TrainingHistory(string path, IReadOnlyList<(string Model, TrainingHistory History)> runs)
    {
        var plt = new ScottPlot.Plot();
        var colors = new[] { ScottPlot.Colors.C0, ScottPlot.Colors.C1, ScottPlot.Colors.C2 };
        var right = plt.Axes.Right;
        for (int i = 0; i < runs.Count; i++)
        {
            var (name, h) = runs[i];
            double[] epochs = h.Epochs.Select(e => (double)e.Epoch).ToArray();
            var acc = plt.Add.Scatter(epochs, h.Epochs.Select(e => e.HeldOutAccuracy * 100).ToArray(), colors[i % colors.Length]);
            acc.LegendText = $"{name}: held-out accuracy (%)";
            acc.LineWidth = 2; acc.MarkerSize = 8;
            var loss = plt.Add.Scatter(epochs, h.Epochs.Select(e => e.TrainLoss).ToArray(), colors[i % colors.Length]);
            loss.LegendText = $"{name}: training loss (right axis)";
            loss.LinePattern = ScottPlot.LinePattern.Dashed;
            loss.Axes.YAxis = right;
        }
        plt.Title("Training history");
        plt.XLabel("epoch");
        plt.YLabel("held-out accuracy (%)");
        right.Label.Text = "training loss";
        plt.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
        plt.ShowLegend(ScottPlot.Alignment.MiddleRight);
        Save(plt, path);
    }

    /// <summary>Histogram of log10 additivity errors, with the tolerance marked.</summary>
    public static void AdditivityErrors(string path, IReadOnlyList<(string Model, double[] Errors)> sets, double tolerance)
    {
        var plt = new ScottPlot.Plot();
        var colors = new[] { ScottPlot.Colors.C0, ScottPlot.Colors.C1, ScottPlot.Colors.C2 };
        double lo = -10, hi = 0;
        int bins = 40;
        double width = (hi - lo) / bins;
        for (int s = 0; s < sets.Count; s++)
        {
            var counts = new double[bins];
            foreach (double e in sets[s].Errors)
            {
                double l = Math.Log10(Math.Max(e, 1e-12));
                int bin = (int)Math.Clamp(Math.Floor((l - lo) / width), 0, bins - 1);
                counts[bin]++;
            }
            var positions = Enumerable.Range(0, bins).Select(b => lo + (b + 0.5) * width + (s - (sets.Count - 1) / 2.0) * width / sets.Count).ToArray();
            var bars = plt.Add.Bars(positions, counts);
            bars.Color = colors[s % colors.Length];
            foreach (var bar in bars.Bars) bar.Size = width / sets.Count * 0.9;
            bars.LegendText = $"{sets[s].Model} (max {sets[s].Errors.DefaultIfEmpty(0).Max():E1})";
        }
        var line = plt.Add.VerticalLine(Math.Log10(tolerance));
        line.LegendText = $"tolerance {tolerance:E0} (× max(1,|f(x)|))";
        line.Color = ScottPlot.Colors.Red;
        line.LinePattern = ScottPlot.LinePattern.Dashed;
        plt.Title("Additivity errors |f(x) − E[f] − Σφ|");
        plt.XLabel("log10(error)");
        plt.YLabel("explanations");
        plt.Axes.SetLimitsX(lo, hi);
        plt.ShowLegend(ScottPlot.Alignment.UpperRight);
        Save(plt, path);
    }

    private static void Save(ScottPlot.Plot plt, string path)
    {
        plt.Font.Set(ChartFont.Ensure());
        byte[] png = plt.GetImageBytes(Width, Height, ScottPlot.ImageFormat.Png);
        AtomicFile.WriteAllBytes(path, png);
    }
}

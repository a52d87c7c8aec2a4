using Glassbox.Generation;
using Glassbox.IO;
using Glassbox.Visualization.Charts;
using ScottPlot;

namespace Glassbox.App.Generation;

/// <summary>Charts of a generator training run, drawn with the library's chart style.</summary>
public static class GeneratorFigures
{
    /// <summary>Every loss of <paramref name="history"/> per epoch, one line each; written atomically.</summary>
    public static void LossCurves(string path, string kind, GeneratorHistory history)
        => AtomicFile.WriteAllBytes(path, LossCurvesPng(kind, history));

    /// <summary>PNG bytes of <see cref="LossCurves"/>.</summary>
    public static byte[] LossCurvesPng(string kind, GeneratorHistory history)
    {
        if (history.Epochs.Count == 0) throw new GlassboxException("No training epochs to plot.");
        var options = new ChartOptions($"{kind}: losses per epoch");
        using var plot = new Plot();
        ChartPng.Style(plot, options);
        double[] x = history.Epochs.Select(e => (double)e.Epoch).ToArray();
        int colour = 0;
        foreach (string name in history.Epochs[0].Losses.Keys)
        {
            var line = plot.Add.Scatter(x, history.Epochs.Select(e => e.Losses[name]).ToArray(), ChartPng.SeriesColor(colour++));
            line.LineWidth = 2.5f;
            line.MarkerSize = 6;
            line.LegendText = name;
        }
        plot.Title(options.Title);
        plot.XLabel("epoch");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
        plot.YLabel("mean per image");
        plot.ShowLegend(Edge.Right);
        return ChartPng.Render(plot, options.Width, options.Height);
    }

    /// <summary>VAE only (Higgins et al. 2017 read collapsed dimensions off this): KL of each latent dimension per epoch (a dimension near 0 nats is unused); written atomically.</summary>
    public static void KlPerDimension(string path, GeneratorHistory history)
        => AtomicFile.WriteAllBytes(path, KlPerDimensionPng(history));

    /// <summary>PNG bytes of <see cref="KlPerDimension"/>.</summary>
    public static byte[] KlPerDimensionPng(GeneratorHistory history)
    {
        var epochs = history.Epochs.Where(e => e.KlPerDimension is not null).ToList();
        if (epochs.Count == 0) throw new GlassboxException("The run has no KL per dimension to plot (not a VAE).");
        var options = new ChartOptions("KL per latent dimension per epoch");
        using var plot = new Plot();
        ChartPng.Style(plot, options);
        double[] x = epochs.Select(e => (double)e.Epoch).ToArray();
        int dims = epochs[0].KlPerDimension!.Length;
        for (int d = 0; d < dims; d++)
        {
            var line = plot.Add.Scatter(x, epochs.Select(e => e.KlPerDimension![d]).ToArray(), ChartPng.SeriesColor(d));
            line.LineWidth = 1.8f;
            line.MarkerSize = 4;
            line.LegendText = $"z{d}";
        }
        plot.Title(options.Title);
        plot.XLabel("epoch");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(1);
        plot.YLabel("KL (nats)");
        plot.ShowLegend(Edge.Right);
        return ChartPng.Render(plot, options.Width, options.Height);
    }
}

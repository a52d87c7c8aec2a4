using Glassbox.IO;
using Glassbox.Visualization.Text;
using ScottPlot;
using SkiaSharp;

namespace Glassbox.Visualization.Charts;

/// <summary>Metrics after one training epoch; validation values are optional.</summary>
/// <param name="Epoch">Epoch number (1-based by convention).</param>
/// <param name="TrainLoss">Mean training loss.</param>
/// <param name="TrainAccuracy">Training accuracy in [0, 1].</param>
/// <param name="ValidationLoss">Validation loss, if measured.</param>
/// <param name="ValidationAccuracy">Validation accuracy in [0, 1], if measured.</param>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double TrainAccuracy, double? ValidationLoss = null, double? ValidationAccuracy = null);

/// <summary>The per-epoch metrics of one model.</summary>
/// <param name="ModelName">Legend name of the model.</param>
/// <param name="Epochs">Metrics in epoch order.</param>
public sealed record TrainingHistory(string ModelName, IReadOnlyList<EpochMetrics> Epochs);

/// <summary>Loss (left panel) and accuracy (right panel) per epoch for one or more models; solid = train, dashed = validation.</summary>
public static class TrainingHistoryChart
{
    /// <summary>Default title and size (two panels side by side).</summary>
    public static ChartOptions DefaultOptions => new("Training history", Width: 1200, Height: 460);

    /// <summary>Renders both panels into one PNG of the requested size.</summary>
    public static byte[] Render(IReadOnlyList<TrainingHistory> histories, ChartOptions? options = null)
    {
        options ??= DefaultOptions;
        options.Validate();
        if (histories.Count == 0 || histories.All(h => h.Epochs.Count == 0))
            throw new GlassboxException("No training history to plot; pass at least one model with recorded epochs.");

        const int titleBand = 40;
        int panelWidth = options.Width / 2, panelHeight = options.Height - titleBand;
        byte[] loss = Panel(histories, options, "Loss", "loss", m => m.TrainLoss, m => m.ValidationLoss, panelWidth, panelHeight, percent: false);
        byte[] accuracy = Panel(histories, options, "Accuracy", "accuracy (%)", m => m.TrainAccuracy * 100, m => m.ValidationAccuracy * 100, options.Width - panelWidth, panelHeight, percent: true);

        using var surface = SKSurface.Create(new SKImageInfo(options.Width, options.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        surface.Canvas.Clear(SKColors.White);
        using (var painter = TextPainter.Open(options.FontOrDefault))
            painter.Draw(surface.Canvas, painter.Fit(options.Title, 18, options.Width - 20), options.Width / 2f, 28, 18, SKTextAlign.Center, new SKColor(30, 30, 30), bold: true);
        using (var left = SKImage.FromEncodedData(loss)) surface.Canvas.DrawImage(left, 0, titleBand, SKSamplingOptions.Default);
        using (var right = SKImage.FromEncodedData(accuracy)) surface.Canvas.DrawImage(right, panelWidth, titleBand, SKSamplingOptions.Default);
        return PngImage.Encode(surface);
    }

    /// <summary>Renders and writes the PNG to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, IReadOnlyList<TrainingHistory> histories, ChartOptions? options = null)
        => AtomicFile.WriteAllBytes(path, Render(histories, options));

    private static byte[] Panel(IReadOnlyList<TrainingHistory> histories, ChartOptions options, string title, string yLabel,
        Func<EpochMetrics, double> train, Func<EpochMetrics, double?> validation, int width, int height, bool percent)
    {
        using var plot = new Plot();
        ChartPng.Style(plot, options);
        for (int i = 0; i < histories.Count; i++)
        {
            var h = histories[i];
            if (h.Epochs.Count == 0) continue;
            double[] epochs = h.Epochs.Select(e => (double)e.Epoch).ToArray();
            var trainLine = plot.Add.Scatter(epochs, h.Epochs.Select(train).ToArray(), ChartPng.SeriesColor(i));
            trainLine.LineWidth = 2.5f;
            trainLine.MarkerSize = h.Epochs.Count <= 40 ? 6 : 0;
            trainLine.LegendText = $"{h.ModelName} train";
            var val = h.Epochs.Where(e => validation(e) is double).ToList();
            if (val.Count == 0) continue;
            var valLine = plot.Add.Scatter(val.Select(e => (double)e.Epoch).ToArray(), val.Select(e => validation(e)!.Value).ToArray(), ChartPng.SeriesColor(i));
            valLine.LineWidth = 2.5f;
            valLine.LinePattern = LinePattern.Dashed;
            valLine.MarkerSize = val.Count <= 40 ? 6 : 0;
            valLine.MarkerShape = MarkerShape.OpenCircle;
            valLine.LegendText = $"{h.ModelName} validation";
        }
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(yLabel);
        int maxEpoch = histories.SelectMany(h => h.Epochs).Max(e => e.Epoch);
        if (maxEpoch <= 20)
        {
            var ticks = new ScottPlot.TickGenerators.NumericManual();
            int minEpoch = histories.SelectMany(h => h.Epochs).Min(e => e.Epoch);
            for (int e = minEpoch; e <= maxEpoch; e++) ticks.AddMajor(e, e.ToString(System.Globalization.CultureInfo.InvariantCulture));
            plot.Axes.Bottom.TickGenerator = ticks;
        }
        plot.ShowLegend(percent ? Alignment.LowerRight : Alignment.UpperRight);
        return ChartPng.Render(plot, width, height);
    }
}

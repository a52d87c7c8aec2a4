using Glassbox.Visualization.Charts;

namespace Glassbox.Tests.Visualization;

// Chart tests share ScottPlot's process-wide font registry, so they run in one class (sequentially).
public class ChartTests
{
    private static CurveSeries[] Curves()
    {
        double[] x = Enumerable.Range(0, 21).Select(i => i / 20.0).ToArray();
        return
        [
            new("attribution order", x, x.Select(v => 0.98 * Math.Exp(-6 * v) + 0.02).ToArray()),
            new("random order", x, x.Select(v => 0.98 - 0.7 * v * v).ToArray()),
            new("integrated gradients", x, x.Select(v => 0.98 * Math.Exp(-3.5 * v)).ToArray()),
        ];
    }

    private static TrainingHistory[] Histories() =>
    [
        new("mlp", Enumerable.Range(1, 8).Select(e => new EpochMetrics(e, 1.2 / e + 0.1, 0.80 + 0.02 * e, 1.25 / e + 0.15, 0.79 + 0.018 * e)).ToArray()),
        new("cnn", Enumerable.Range(1, 8).Select(e => new EpochMetrics(e, 0.8 / e + 0.03, 0.88 + 0.013 * e, 0.85 / e + 0.06, 0.87 + 0.012 * e)).ToArray()),
    ];

    private static double[] Errors()
    {
        var rng = new Random(7);
        var errors = Enumerable.Range(0, 197).Select(_ => Math.Pow(10, -7 + 3 * rng.NextDouble())).ToList();
        errors.AddRange([2e-3, 5e-3, 0.02]);
        errors.Add(0);
        return [.. errors];
    }

    private static void AssertNonTrivialPng(byte[] png, int width, int height)
    {
        Assert.True(SyntheticImages.IsPng(png));
        using var bmp = SyntheticImages.Decode(png);
        Assert.Equal(width, bmp.Width);
        Assert.Equal(height, bmp.Height);
        int nonWhite = 0, coloured = 0;
        for (int y = 0; y < bmp.Height; y += 2)
            for (int x = 0; x < bmp.Width; x += 2)
            {
                var c = bmp.GetPixel(x, y);
                if (c.Red < 200 || c.Green < 200 || c.Blue < 200) nonWhite++;
                if (Math.Max(c.Red, Math.Max(c.Green, c.Blue)) - Math.Min(c.Red, Math.Min(c.Green, c.Blue)) > 60) coloured++;
            }
        Assert.True(nonWhite > 500, $"only {nonWhite} dark samples: the chart looks empty");
        Assert.True(coloured > 100, $"only {coloured} coloured samples: no series drawn?");
        int titleInk = 0;
        for (int y = 0; y < 40; y++)
            for (int x = width / 4; x < 3 * width / 4; x++)
                if (bmp.GetPixel(x, y).Red < 110) titleInk++;
        Assert.True(titleInk > 30, $"only {titleInk} dark pixels in the title band: text did not render");
    }

    [Fact]
    public void Charts_ArePngsOfTheRequestedSize_WithNonTrivialContent()
    {
        AssertNonTrivialPng(DeletionCurveChart.Render(Curves()), 820, 500);
        AssertNonTrivialPng(TrainingHistoryChart.Render(Histories()), 1200, 460);
        AssertNonTrivialPng(AdditivityHistogram.Render(Errors(), tolerance: 1e-3), 820, 500);
    }

    [Fact]
    public void CurveArea_IsTheTrapezoidalIntegral()
    {
        Assert.Equal(0.5, CurveArea.Trapezoid([0, 1], [1, 0]), 12);
        Assert.Equal(1.0 / 3, CurveArea.Trapezoid(Enumerable.Range(0, 1001).Select(i => i / 1000.0).ToArray(), Enumerable.Range(0, 1001).Select(i => Math.Pow(i / 1000.0, 2)).ToArray()), 5);
        Assert.Throws<GlassboxException>(() => CurveArea.Trapezoid([1, 0], [0, 0]));
    }

    [Fact]
    public void Charts_RejectEmptyInput_WithGuidance()
    {
        Assert.Throws<GlassboxException>(() => DeletionCurveChart.Render([]));
        Assert.Throws<GlassboxException>(() => TrainingHistoryChart.Render([]));
        Assert.Throws<GlassboxException>(() => AdditivityHistogram.Render([]));
    }

    [Fact]
    public void Gallery_WritesSampleCharts_WhenRequested()
    {
        if (SyntheticImages.GalleryDir is not { } dir) return;
        DeletionCurveChart.Save(Path.Combine(dir, "deletion_curves.png"), Curves());
        TrainingHistoryChart.Save(Path.Combine(dir, "training_history.png"), Histories());
        AdditivityHistogram.Save(Path.Combine(dir, "additivity_histogram.png"), Errors(), tolerance: 1e-3);
    }
}

namespace Glassbox.Visualization;

/// <summary>
/// Where everything goes in an <see cref="ImagePlot"/> figure:
/// width = 2·Margin + (K+1)·PanelWidth + K·PanelGap (+ ScaleColumnWidth when rows have their own scales),
/// height = 2·Margin + N·(TitleHeight + PanelHeight) + (N−1)·RowGap + ColorbarAreaHeight.
/// </summary>
public sealed record ImagePlotLayout(int Width, int Height, int PixelScale, int PanelWidth, int PanelHeight, bool PerRowScale, ImagePlotOptions Options)
{
    /// <summary>Computes the layout for <paramref name="data"/>.</summary>
    public static ImagePlotLayout For(ImagePlotData data, ImagePlotOptions options)
    {
        int scale = options.PixelScale ?? Math.Max(1, options.TargetPanelSize / Math.Max(data.H, data.W));
        if (scale < 1) throw new GlassboxException($"PixelScale {scale} must be at least 1.");
        int pw = data.W * scale, ph = data.H * scale;
        bool perRow = data.N > 1 && !options.SharedScale;
        long width = 2L * options.Margin + (data.K + 1L) * pw + (long)data.K * options.PanelGap + (perRow ? options.ScaleColumnWidth : 0);
        long height = 2L * options.Margin + (long)data.N * (options.TitleHeight + ph) + (data.N - 1L) * options.RowGap + options.ColorbarAreaHeight;
        if (width > 16384 || height > 32768)
            throw new GlassboxException($"The image plot would be {width}×{height} px; plot fewer rows or panels, or lower PixelScale.");
        return new ImagePlotLayout((int)width, (int)height, scale, pw, ph, perRow, options);
    }

    /// <summary>Left edge of panel column <paramref name="column"/> (0 = input image).</summary>
    public int PanelLeft(int column) => Options.Margin + column * (PanelWidth + Options.PanelGap);

    /// <summary>Top edge of the images in row <paramref name="row"/> (the title band is above it).</summary>
    public int PanelTop(int row) => Options.Margin + row * (Options.TitleHeight + PanelHeight + Options.RowGap) + Options.TitleHeight;

    /// <summary>Top edge of the colorbar band.</summary>
    public int ColorbarTop => Height - Options.Margin - Options.ColorbarAreaHeight;
}

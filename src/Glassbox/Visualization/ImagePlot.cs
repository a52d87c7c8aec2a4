using Glassbox.IO;
using Glassbox.Visualization.Text;
using SkiaSharp;

namespace Glassbox.Visualization;

/// <summary>
/// A grid like <c>shap.image_plot</c>: one row per input, the input first, then K attribution maps drawn red
/// (positive) and blue (negative) over a faint grayscale copy of the input, with a symmetric colour scale.
/// </summary>
public static partial class ImagePlot
{
    /// <summary>Renders the figure as PNG bytes; its size is given by <see cref="ImagePlotLayout"/>.</summary>
    public static byte[] Render(ImagePlotData data, ImagePlotOptions? options = null)
    {
        options ??= new ImagePlotOptions();
        data.Validate();
        var layout = ImagePlotLayout.For(data, options);
        double[] scales = RowScales(data, options);
        using var painter = TextPainter.Open(options.Font);
        using var surface = SKSurface.Create(new SKImageInfo(layout.Width, layout.Height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new GlassboxException($"Could not allocate a {layout.Width}×{layout.Height} image; plot fewer rows.");
        SKCanvas canvas = surface.Canvas;
        canvas.Clear(options.Background);
        for (int row = 0; row < data.N; row++)
            DrawRow(canvas, painter, data, layout, row, scales[row]);
        DrawColorbar(canvas, painter, data, layout, scales);
        return PngImage.Encode(surface);
    }

    /// <summary>Renders the figure and writes it to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, ImagePlotData data, ImagePlotOptions? options = null)
        => AtomicFile.WriteAllBytes(path, Render(data, options));

    /// <summary>
    /// vmax of each row: the <see cref="ImagePlotOptions.ScalePercentile"/>-th percentile of |channel-summed attribution|
    /// over all panels of the row, or over all rows when <see cref="ImagePlotOptions.SharedScale"/> is set.
    /// </summary>
    public static double[] RowScales(ImagePlotData data, ImagePlotOptions options)
    {
        data.Validate();
        float[][] rows = new float[data.N][];
        for (int r = 0; r < data.N; r++)
        {
            rows[r] = new float[data.K * data.H * data.W];
            int i = 0;
            for (int k = 0; k < data.K; k++)
                for (int y = 0; y < data.H; y++)
                    for (int x = 0; x < data.W; x++)
                        rows[r][i++] = (float)data.SummedValue(r, k, y, x);
        }
        if (options.SharedScale)
        {
            double shared = RobustScale.SymmetricMax(rows.SelectMany(v => v).ToArray(), options.ScalePercentile);
            return Enumerable.Repeat(shared, data.N).ToArray();
        }
        return rows.Select(v => RobustScale.SymmetricMax(v, options.ScalePercentile)).ToArray();
    }

    private static void DrawRow(SKCanvas canvas, TextPainter painter, ImagePlotData data, ImagePlotLayout layout, int row, double vmax)
    {
        var o = layout.Options;
        int top = layout.PanelTop(row);
        var ink = new SKColor(40, 40, 40);
        float titleBaseline = top - (o.TitleHeight - painter.Ascent(o.TitleFontSize)) / 2f;
        int imageOffset = row * data.C * data.H * data.W;

        string rowLabel = data.RowLabels?[row] ?? "Input";
        DrawTitle(canvas, painter, rowLabel, layout, 0, titleBaseline, ink);
        DrawPanel(canvas, layout, 0, top, (y, x) => ImageShape.PixelColor(data.Images, data.C, data.H, data.W, y, x, imageOffset), data.H, data.W);

        for (int k = 0; k < data.K; k++)
        {
            DrawTitle(canvas, painter, data.PanelTitles[row][k], layout, k + 1, titleBaseline, ink);
            int panel = k;
            DrawPanel(canvas, layout, k + 1, top, (y, x) =>
            {
                byte faint = ImageShape.ToByte(1 - o.UnderlayOpacity + o.UnderlayOpacity * ImageShape.Gray(data.Images, data.C, data.H, data.W, y, x, imageOffset));
                var under = new SKColor(faint, faint, faint);
                return ShapColors.Over(under, data.SummedValue(row, panel, y, x), vmax);
            }, data.H, data.W);
        }

        if (layout.PerRowScale)
        {
            float x = layout.PanelLeft(data.K + 1) - o.PanelGap + 12;
            float mid = top + layout.PanelHeight / 2f;
            float width = o.ScaleColumnWidth - 14;
            painter.Draw(canvas, painter.Fit("scale", 11, width), x, mid - 4, 11, SKTextAlign.Left, new SKColor(110, 110, 110));
            painter.Draw(canvas, painter.Fit("\u00b1" + NumberFormat.Compact(vmax), 13, width), x, mid + 12, 13, SKTextAlign.Left, ink, bold: true);
        }
    }

    private static void DrawTitle(SKCanvas canvas, TextPainter painter, string text, ImagePlotLayout layout, int column, float baseline, SKColor ink)
    {
        float size = layout.Options.TitleFontSize;
        float maxWidth = layout.PanelWidth + layout.Options.PanelGap - 4;
        string fitted = painter.Fit(text, size, maxWidth);
        painter.Draw(canvas, fitted, layout.PanelLeft(column) + layout.PanelWidth / 2f, baseline, size, SKTextAlign.Center, ink);
    }

    private static void DrawPanel(SKCanvas canvas, ImagePlotLayout layout, int column, int top, Func<int, int, SKColor> pixel, int height, int width)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, pixel(y, x));
        using SKImage image = SKImage.FromBitmap(bitmap);
        var dest = new SKRect(layout.PanelLeft(column), top, layout.PanelLeft(column) + layout.PanelWidth, top + layout.PanelHeight);
        canvas.DrawImage(image, dest, new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None));
        using var border = new SKPaint { Color = new SKColor(200, 200, 200), Style = SKPaintStyle.Stroke, StrokeWidth = 1, IsAntialias = false };
        canvas.DrawRect(dest.Left - 1, dest.Top - 1, dest.Width + 1, dest.Height + 1, border);
    }

    private static void DrawColorbar(SKCanvas canvas, TextPainter painter, ImagePlotData data, ImagePlotLayout layout, double[] scales)
    {
        double? vmax = layout.PerRowScale ? null : scales[0];
        float overhang = DivergingColorbar.Overhang(painter, vmax);
        float minLeft = layout.Options.Margin + overhang, maxRight = layout.Width - layout.Options.Margin - overhang;
        float left = layout.PanelLeft(1) + overhang;
        float right = layout.PanelLeft(data.K) + layout.PanelWidth - overhang;
        const float minWidth = 220;
        if (right - left < minWidth)
        {
            float mid = (left + right) / 2;
            left = mid - minWidth / 2;
            right = mid + minWidth / 2;
        }
        left = Math.Max(minLeft, left);
        right = Math.Min(maxRight, right);
        float top = layout.ColorbarTop + 12;
        var bar = new SKRect(left, top, Math.Max(left + 10, right), top + 12);
        string label = layout.PerRowScale ? layout.Options.ColorbarLabel + " (vmax per row, at right)" : layout.Options.ColorbarLabel;
        DivergingColorbar.Draw(canvas, painter, bar, vmax, label);
    }
}

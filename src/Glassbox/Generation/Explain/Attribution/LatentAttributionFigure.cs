using System.Globalization;
using Glassbox.Generation.Explain.Traversals;
using Glassbox.Visualization;
using Glassbox.Visualization.Text;
using SkiaSharp;

namespace Glassbox.Generation.Explain.Attribution;

/// <summary>What <see cref="LatentAttributionFigure"/> draws: per code, the generated image, its pixel attribution and the latent attribution.</summary>
/// <param name="Images">N×C×H×W generated images in [0, 1].</param>
/// <param name="Count">N.</param>
/// <param name="Channels">C (1 or 3).</param>
/// <param name="Height">H.</param>
/// <param name="Width">W.</param>
/// <param name="PixelMaps">N×H×W pixel attributions (summed over channels).</param>
/// <param name="Latent">N×L latent attributions.</param>
/// <param name="LatentSize">L.</param>
/// <param name="RowTitles">N titles above each row (class, probability, completeness), up to two lines split by '\n'.</param>
/// <param name="PixelMethod">Name of the pixel method.</param>
/// <param name="LatentMethod">Name of the latent method.</param>
public sealed record LatentAttributionFigureData(float[] Images, int Count, int Channels, int Height, int Width, float[] PixelMaps,
    float[] Latent, int LatentSize, IReadOnlyList<string> RowTitles, string PixelMethod, string LatentMethod)
{
    /// <summary>Throws a <see cref="GlassboxException"/> when the buffers and the shape disagree.</summary>
    public void Validate()
    {
        if (Count < 1 || LatentSize < 1 || Height < 1 || Width < 1 || Channels is not (1 or 3))
            throw new GlassboxException($"A latent attribution figure needs at least one code and 1 or 3 channels, not {Count}×{Channels}×{Height}×{Width}, L = {LatentSize}.");
        if (Images.LongLength != (long)Count * Channels * Height * Width || PixelMaps.LongLength != (long)Count * Height * Width
            || Latent.LongLength != (long)Count * LatentSize || RowTitles.Count != Count)
            throw new GlassboxException("The latent attribution figure's images, maps, latent values and titles do not match its shape.");
    }
}

/// <summary>
/// Renders one row per code: the generated image G(z), the pixel attribution of the classifier on it (red up, blue
/// down, over a faint copy, symmetric scale per row) and the latent attribution as a bar per dimension (same colours,
/// symmetric scale per row, printed at the right).
/// </summary>
public static class LatentAttributionFigure
{
    private const int Margin = 10, Gap = 12, TitleHeight = 46, BarPitch = 9, MinBarWidth = 220, ScaleWidth = 70;

    /// <summary>PNG bytes of the figure; each image pixel is drawn <paramref name="scale"/>×<paramref name="scale"/>.</summary>
    public static byte[] Render(LatentAttributionFigureData d, int scale = 4)
    {
        d.Validate();
        if (scale is < 1 or > 16) throw new GlassboxException($"The figure scale must be 1–16, not {scale}.");
        int cw = d.Width * scale, ch = d.Height * scale;
        int barWidth = Math.Max(MinBarWidth, d.LatentSize * BarPitch);
        int rowHeight = TitleHeight + ch + 16;
        int width = Margin + cw + Gap + cw + Gap + barWidth + ScaleWidth + Margin;
        int height = Margin + d.Count * rowHeight + Margin;
        using var painter = TextPainter.Open(new FontOptions());
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new GlassboxException($"Could not allocate a {width}×{height} image; show fewer codes.");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        var ink = new SKColor(40, 40, 40);
        var faintInk = new SKColor(110, 110, 110);
        int plane = d.Channels * d.Height * d.Width, map = d.Height * d.Width;
        for (int n = 0; n < d.Count; n++)
        {
            int top = Margin + n * rowHeight;
            var lines = d.RowTitles[n].Split('\n');
            for (int k = 0; k < Math.Min(2, lines.Length); k++)
                painter.Draw(canvas, painter.Fit(lines[k], 12, width - 2 * Margin), Margin, top + 13 + 15 * k, 12, SKTextAlign.Left, ink, bold: k == 0);
            int panelTop = top + TitleHeight;
            float left = Margin;
            painter.Draw(canvas, "G(z)", left + cw / 2f, panelTop - 5, 11, SKTextAlign.Center, faintInk);
            int offset = n * plane;
            TraversalFigure.DrawImage(canvas, left, panelTop, cw, ch, d.Height, d.Width,
                (y, x) => ImageShape.PixelColor(d.Images, d.Channels, d.Height, d.Width, y, x, offset));

            left += cw + Gap;
            double pmax = RobustScale.SymmetricMax(d.PixelMaps.AsSpan(n * map, map).ToArray(), 99.9);
            painter.Draw(canvas, painter.Fit($"pixels \u00b1{NumberFormat.Compact(pmax)}", 11, cw + Gap), left + cw / 2f, panelTop - 5, 11, SKTextAlign.Center, faintInk);
            TraversalFigure.DrawImage(canvas, left, panelTop, cw, ch, d.Height, d.Width, (y, x) =>
            {
                byte g = ImageShape.ToByte(0.85 + 0.15 * (1 - ImageShape.Gray(d.Images, d.Channels, d.Height, d.Width, y, x, offset)));
                return ShapColors.Over(new SKColor(g, g, g), d.PixelMaps[n * map + y * d.Width + x], pmax);
            });

            left += cw + Gap;
            DrawBars(canvas, painter, d.Latent.AsSpan(n * d.LatentSize, d.LatentSize), left, panelTop, barWidth, ch, d.LatentMethod, faintInk);
        }
        return PngImage.Encode(surface);
    }

    private static void DrawBars(SKCanvas canvas, TextPainter painter, ReadOnlySpan<float> values, float left, float top, int width, int height, string method, SKColor faintInk)
    {
        double vmax = 0;
        foreach (float v in values) if (float.IsFinite(v)) vmax = Math.Max(vmax, Math.Abs(v));
        painter.Draw(canvas, painter.Fit($"latent: {method}", 11, width), left + width / 2f, top - 5, 11, SKTextAlign.Center, faintInk);
        float mid = top + height / 2f;
        using var axis = new SKPaint { Color = new SKColor(170, 170, 170), StrokeWidth = 1, IsAntialias = false };
        canvas.DrawLine(left, mid, left + width, mid, axis);
        float pitch = width / (float)values.Length;
        float barW = Math.Max(1, pitch * 0.75f);
        using var fill = new SKPaint { Style = SKPaintStyle.Fill, IsAntialias = false };
        for (int j = 0; j < values.Length; j++)
        {
            double v = float.IsFinite(values[j]) ? values[j] : 0;
            float h = vmax > 0 ? (float)(v / vmax * (height / 2f - 2)) : 0;
            fill.Color = v >= 0 ? ShapColors.Positive : ShapColors.Negative;
            float x = left + j * pitch + (pitch - barW) / 2;
            canvas.DrawRect(new SKRect(x, Math.Min(mid, mid - h), x + barW, Math.Max(mid, mid - h)), fill);
        }
        int every = Math.Max(1, (int)Math.Ceiling(24 / pitch));
        for (int j = 0; j < values.Length; j += every)
            painter.Draw(canvas, j.ToString(CultureInfo.InvariantCulture), left + (j + 0.5f) * pitch, top + height + 12, 9, SKTextAlign.Center, faintInk);
        painter.Draw(canvas, "\u00b1" + NumberFormat.Compact(vmax), left + width + 6, mid + 4, 11, SKTextAlign.Left, faintInk);
    }
}

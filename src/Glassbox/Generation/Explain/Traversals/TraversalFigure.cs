using Glassbox.Visualization;
using Glassbox.Visualization.Text;
using SkiaSharp;

namespace Glassbox.Generation.Explain.Traversals;

/// <summary>What <see cref="TraversalFigure"/> draws: R traversal rows of T images each, with labels, and optionally a
/// Jacobian map ‖∂G(z)/∂z_j‖ per row drawn beside it.</summary>
/// <param name="Images">R×T×C×H×W images in [0, 1], row-major.</param>
/// <param name="Rows">Rows R (one per latent dimension).</param>
/// <param name="Steps">Images per row T.</param>
/// <param name="Channels">C (1 or 3).</param>
/// <param name="Height">H.</param>
/// <param name="Width">W.</param>
/// <param name="RowLabels">R labels (e.g. "z3  KL 2.1").</param>
/// <param name="ColumnLabels">T labels (e.g. "−3σ").</param>
/// <param name="JacobianMaps">R×H×W non-negative maps, or null for none.</param>
/// <param name="Title">One line above the grid, or null.</param>
public sealed record TraversalFigureData(float[] Images, int Rows, int Steps, int Channels, int Height, int Width,
    IReadOnlyList<string> RowLabels, IReadOnlyList<string> ColumnLabels, float[]? JacobianMaps = null, string? Title = null)
{
    /// <summary>Throws a <see cref="GlassboxException"/> when the buffers and the shape disagree.</summary>
    public void Validate()
    {
        if (Rows < 1 || Steps < 1 || Height < 1 || Width < 1 || Channels is not (1 or 3))
            throw new GlassboxException($"A traversal figure needs at least one row and step and 1 or 3 channels, not {Rows}×{Steps}×{Channels}×{Height}×{Width}.");
        if (Images.LongLength != (long)Rows * Steps * Channels * Height * Width)
            throw new GlassboxException($"The traversal images hold {Images.Length} values; {Rows}×{Steps}×{Channels}×{Height}×{Width} need {(long)Rows * Steps * Channels * Height * Width}.");
        if (RowLabels.Count != Rows || ColumnLabels.Count != Steps)
            throw new GlassboxException($"A traversal figure needs {Rows} row labels and {Steps} column labels, not {RowLabels.Count} and {ColumnLabels.Count}.");
        if (JacobianMaps is not null && JacobianMaps.LongLength != (long)Rows * Height * Width)
            throw new GlassboxException($"The Jacobian maps hold {JacobianMaps.Length} values; {Rows}×{Height}×{Width} need {(long)Rows * Height * Width}.");
    }
}

/// <summary>
/// Renders a traversal grid (one row per latent dimension, −3σ … +3σ left to right) as PNG; with Jacobian maps, a last
/// column shows ‖∂G(z)/∂z_j‖ per pixel in red over white on one scale shared by all rows (so rows compare): full red at
/// the 99.5th percentile of all the figure's map values (printed above the column), larger values clipped.
/// </summary>
public static class TraversalFigure
{
    /// <summary>Percentile of all map values of a figure that is drawn full red (larger values are clipped).</summary>
    public const double ScalePercentile = 99.5;

    private const int Gap = 3, Margin = 10, LabelWidth = 96, HeaderHeight = 20, TitleHeight = 24, JacobianGap = 16;

    /// <summary>PNG bytes of the figure; each image pixel is drawn <paramref name="scale"/>×<paramref name="scale"/>.</summary>
    public static byte[] Render(TraversalFigureData data, int scale = 2)
    {
        data.Validate();
        if (scale is < 1 or > 16) throw new GlassboxException($"The figure scale must be 1–16, not {scale}.");
        int ch = data.Height * scale, cw = data.Width * scale;
        bool jac = data.JacobianMaps is not null;
        int top = Margin + (data.Title is null ? 0 : TitleHeight) + HeaderHeight + (jac ? 14 : 0);
        int gridLeft = Margin + LabelWidth;
        int width = gridLeft + data.Steps * (cw + Gap) + (jac ? JacobianGap + cw + Gap : 0) + Margin;
        int height = top + data.Rows * (ch + Gap) + Margin;
        using var painter = TextPainter.Open(new FontOptions());
        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul))
            ?? throw new GlassboxException($"Could not allocate a {width}×{height} image; show fewer rows.");
        var canvas = surface.Canvas;
        canvas.Clear(SKColors.White);
        var ink = new SKColor(40, 40, 40);
        if (data.Title is string title)
            painter.Draw(canvas, painter.Fit(title, 13, width - 2 * Margin), Margin, Margin + 15, 13, SKTextAlign.Left, ink, bold: true);
        float headerBaseline = top - 6;
        for (int s = 0; s < data.Steps; s++)
            painter.Draw(canvas, painter.Fit(data.ColumnLabels[s], 11, cw + Gap), gridLeft + s * (cw + Gap) + cw / 2f, headerBaseline, 11, SKTextAlign.Center, ink);
        double vmax = 0;
        if (jac)
        {
            vmax = RobustScale.SymmetricMax(data.JacobianMaps!, ScalePercentile);
            float jl = gridLeft + data.Steps * (cw + Gap) + JacobianGap;
            painter.Draw(canvas, painter.Fit("\u2016\u2202G/\u2202z_j\u2016", 11, cw + JacobianGap), jl + cw / 2f, headerBaseline - 14, 11, SKTextAlign.Center, ink);
            painter.Draw(canvas, painter.Fit("0 \u2026 " + NumberFormat.Compact(vmax), 11, cw + JacobianGap), jl + cw / 2f, headerBaseline, 11, SKTextAlign.Center, ink);
        }
        int plane = data.Channels * data.Height * data.Width;
        for (int r = 0; r < data.Rows; r++)
        {
            int y0 = top + r * (ch + Gap);
            painter.Draw(canvas, painter.Fit(data.RowLabels[r], 11, LabelWidth - 6), Margin, y0 + ch / 2f + 4, 11, SKTextAlign.Left, ink);
            for (int s = 0; s < data.Steps; s++)
            {
                int offset = (r * data.Steps + s) * plane;
                DrawImage(canvas, gridLeft + s * (cw + Gap), y0, cw, ch, data.Height, data.Width,
                    (y, x) => ImageShape.PixelColor(data.Images, data.Channels, data.Height, data.Width, y, x, offset));
            }
            if (jac)
            {
                int mapOffset = r * data.Height * data.Width;
                float jl = gridLeft + data.Steps * (cw + Gap) + JacobianGap;
                DrawImage(canvas, jl, y0, cw, ch, data.Height, data.Width,
                    (y, x) => ShapColors.Over(SKColors.White, data.JacobianMaps![mapOffset + y * data.Width + x], vmax));
            }
        }
        return PngImage.Encode(surface);
    }

    internal static void DrawImage(SKCanvas canvas, float left, float top, int w, int h, int height, int width, Func<int, int, SKColor> pixel)
    {
        using var bitmap = new SKBitmap(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, pixel(y, x));
        using var image = SKImage.FromBitmap(bitmap);
        var dest = new SKRect(left, top, left + w, top + h);
        canvas.DrawImage(image, dest, new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None));
        using var border = new SKPaint { Color = new SKColor(200, 200, 200), Style = SKPaintStyle.Stroke, StrokeWidth = 1, IsAntialias = false };
        canvas.DrawRect(dest.Left - 1, dest.Top - 1, dest.Width + 1, dest.Height + 1, border);
    }
}

using Glassbox.Visualization.Text;
using SkiaSharp;

namespace Glassbox.Visualization;

/// <summary>Options for a stand-alone horizontal colorbar.</summary>
/// <param name="Width">Image width in pixels.</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="Label">Text under the tick labels.</param>
/// <param name="Font">Font used for the labels.</param>
public sealed record ColorbarOptions(int Width = 420, int Height = 76, string Label = "SHAP value", FontOptions? Font = null);

/// <summary>Draws SHAP's diverging blue–transparent–red scale from −vmax to +vmax.</summary>
public static class DivergingColorbar
{
    private const float TickSize = 12;
    private const float LabelSize = 13;

    /// <summary>Renders a horizontal colorbar for the scale ±<paramref name="vmax"/> as PNG bytes.</summary>
    public static byte[] Render(double vmax, ColorbarOptions? options = null)
    {
        options ??= new ColorbarOptions();
        if (options.Width < 60 || options.Height < 60)
            throw new GlassboxException($"A colorbar of {options.Width}×{options.Height} px is too small to label; use at least 60×60.");
        using var painter = TextPainter.Open(options.Font ?? new FontOptions());
        using var surface = SKSurface.Create(new SKImageInfo(options.Width, options.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        surface.Canvas.Clear(SKColors.White);
        float margin = Overhang(painter, vmax) + 6;
        var bar = new SKRect(margin, 10, options.Width - margin, 24);
        Draw(surface.Canvas, painter, bar, vmax, options.Label);
        return PngImage.Encode(surface);
    }

    /// <summary>
    /// Draws the bar into <paramref name="bar"/> with ticks at −vmax, 0 and +vmax and <paramref name="label"/> below.
    /// When <paramref name="vmax"/> is null the ticks read "−vmax", "0", "+vmax" (scales that differ per row).
    /// </summary>
    internal static void Draw(SKCanvas canvas, TextPainter painter, SKRect bar, double? vmax, string label)
    {
        var white = SKColors.White;
        int columns = Math.Max(1, (int)Math.Round(bar.Width));
        using (var fill = new SKPaint { IsAntialias = false, Style = SKPaintStyle.Fill })
        {
            for (int i = 0; i < columns; i++)
            {
                double t = columns == 1 ? 0.5 : i / (double)(columns - 1);
                fill.Color = ShapColors.Over(white, 2 * t - 1, 1);
                canvas.DrawRect(bar.Left + i * bar.Width / columns, bar.Top, bar.Width / columns + 0.5f, bar.Height, fill);
            }
        }
        var ink = new SKColor(60, 60, 60);
        using var line = new SKPaint { Color = new SKColor(150, 150, 150), IsAntialias = true, Style = SKPaintStyle.Stroke, StrokeWidth = 1 };
        canvas.DrawRect(bar, line);

        const float tickSize = TickSize;
        string[] ticks = TickLabels(vmax);
        float[] xs = [bar.Left, bar.MidX, bar.Right];
        float tickBaseline = bar.Bottom + 5 + painter.Ascent(tickSize) + 3;
        for (int i = 0; i < 3; i++)
        {
            canvas.DrawLine(xs[i], bar.Bottom, xs[i], bar.Bottom + 4, line);
            painter.Draw(canvas, ticks[i], xs[i], tickBaseline, tickSize, SKTextAlign.Center, ink);
        }
        const float labelSize = LabelSize;
        float labelBaseline = tickBaseline + painter.Ascent(labelSize) + 9;
        painter.Draw(canvas, label, bar.MidX, labelBaseline, labelSize, SKTextAlign.Center, ink);
    }

    /// <summary>How far the end tick labels reach beyond the ends of the bar, in pixels.</summary>
    internal static float Overhang(TextPainter painter, double? vmax)
        => TickLabels(vmax).Max(t => painter.Measure(t, TickSize)) / 2 + 2;

    private static string[] TickLabels(double? vmax) => vmax is double v
        ? [NumberFormat.Compact(-v), "0", NumberFormat.Signed(v)]
        : ["\u2212vmax", "0", "+vmax"];
}

using SkiaSharp;

namespace Glassbox.Visualization.Text;

/// <summary>Draws text with a real typeface through SkiaSharp.</summary>
internal sealed class TypefacePainter(SKTypeface typeface) : TextPainter
{
    /// <inheritdoc />
    public override bool IsBuiltIn => false;

    /// <inheritdoc />
    public override float Measure(string text, float size)
    {
        using var font = new SKFont(typeface, size);
        return font.MeasureText(text);
    }

    /// <inheritdoc />
    public override float Ascent(float size)
    {
        using var font = new SKFont(typeface, size);
        float cap = font.Metrics.CapHeight;
        return cap > 0 ? cap : -font.Metrics.Ascent * 0.72f;
    }

    /// <inheritdoc />
    public override void Draw(SKCanvas canvas, string text, float x, float baseline, float size, SKTextAlign align, SKColor color, bool bold = false)
    {
        using var font = new SKFont(typeface, size) { Embolden = bold, Subpixel = true, Edging = SKFontEdging.Antialias };
        using var paint = new SKPaint { Color = color, IsAntialias = true };
        canvas.DrawText(text, x, baseline, align, font, paint);
    }

    /// <inheritdoc />
    public override void Dispose() => typeface.Dispose();
}

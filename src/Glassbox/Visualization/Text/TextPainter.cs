using SkiaSharp;

namespace Glassbox.Visualization.Text;

/// <summary>Measures and draws single lines of text; hides whether a font file or the built-in bitmap font is used.</summary>
internal abstract class TextPainter : IDisposable
{
    /// <summary>True when the built-in bitmap font is used because no font file was found.</summary>
    public abstract bool IsBuiltIn { get; }

    /// <summary>Advance width of <paramref name="text"/> at <paramref name="size"/> pixels.</summary>
    public abstract float Measure(string text, float size);

    /// <summary>Height of capital letters above the baseline, in pixels.</summary>
    public abstract float Ascent(float size);

    /// <summary>Draws one line of text with its baseline at <paramref name="baseline"/>.</summary>
    public abstract void Draw(SKCanvas canvas, string text, float x, float baseline, float size, SKTextAlign align, SKColor color, bool bold = false);

    /// <summary>Shortens <paramref name="text"/> with an ellipsis so that it fits in <paramref name="maxWidth"/>.</summary>
    public string Fit(string text, float size, float maxWidth)
    {
        if (Measure(text, size) <= maxWidth) return text;
        for (int n = text.Length - 1; n > 0; n--)
        {
            string candidate = text[..n].TrimEnd() + "…";
            if (Measure(candidate, size) <= maxWidth) return candidate;
        }
        return "…";
    }

    /// <summary>Opens the font chosen by <paramref name="options"/>.</summary>
    public static TextPainter Open(FontOptions options)
    {
        if (options.UseBuiltInFont) return new BuiltInFont();
        SKTypeface? typeface = FontLocator.Load(options.FontFile);
        return typeface is null ? new BuiltInFont() : new TypefacePainter(typeface);
    }

    /// <inheritdoc />
    public abstract void Dispose();
}

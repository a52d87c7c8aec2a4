using SkiaSharp;

namespace Glassbox.Visualization.Text;

/// <summary>
/// A monospaced 8×15 bitmap font for printable ASCII, used when the machine has no usable font file so that labels
/// still appear. The glyphs were rasterised once from DejaVu Sans Mono (Bitstream Vera licence) at 13 px.
/// </summary>
internal sealed class BuiltInFont : TextPainter
{
    private const int CellWidth = 8;
    private const int CellHeight = 15;
    private const int Baseline = 12;
    private const float NativeSize = 13f;

    private const string Glyphs =
        "AAAAAAAAAAAAAAAAAAAAAAAAGBgYGBgYABgYAAAAAAAAPDw8PAAAAAAAAAAAAAAeFjb/NCz+aGhYAAAAAAAAGDx+eHgeHn5+GBgAAAAA8NDQ9jzuGxsOAAAAAAAAPGBgcNvPzu5/AAAAAAAAGBgYGAAAAAAAAAAAAAwYGBgQMDAQGBgYDAAAADAQGBgYCAgYGBgQMAAAAAAAGH48PH4YAAAAAAAAAAAAABgYGP8YGBgAAAAAAAAAAAAAAAAAABgYGDAAAAAAAAAAAAA8AAAAAAAAAAAAAAAAAAAAABgYAAAAAAAABgYMDBgYMDBgYEAAAAAAPG5mZl5mZm48AAAAAAAAeBgYGBgYGBh+AAAAAAAAfG4GBgwYMGB+AAAAAAAAfG4GDjwOBm58AAAAAAAADBw8PGxM/wwMAAAAAAAAfGBgfA4GBm58AAAAAAAAPHZgfGZmZmY8AAAAAAAAfgYMDAwYGDAwAAAAAAAAPGZmZjxmZmZ8AAAAAAAAfG5GRm5+Bm48AAAAAAAAAAAYGAAAABgYAAAAAAAAAAAYGAAAABgYGDAAAAAAAAAHPvDwPgcAAAAAAAAAAAAA/wAA/wAAAAAAAAAAAADgeA4OfOAAAAAAAAAAPGYGDBgYABgYAAAAAAAAPnbD3/Oz89/AcD4AAAAAGDw8PGRmfsbDAAAAAAAAfGZmZnxmY2Z+AAAAAAAAPnZgYGBgYHY+AAAAAAAAfG5GRkZGRk58AAAAAAAAfmBgYH5gYGB+AAAAAAAAfmBgYH5gYGBgAAAAAAAAPnZgwM7GZnY+AAAAAAAARkZGRn5GRkZGAAAAAAAAfhgYGBgYGBh+AAAAAAAAPAwMDAwMjOx4AAAAAAAAR05ceHh8TEZDAAAAAAAAYGBgYGBgYGB/AAAAAAAA5+fv/9vbw8PDAAAAAAAAZmZ2dl5eTk5GAAAAAAAAPG5mxsbGZm48AAAAAAAAfmZnZ2Z+YGBgAAAAAAAAPG5mxsbGZm48DAYAAAAAfG5mbnxsZmZjAAAAAAAAPGZAcDwGBmZ8AAAAAAAA/xgYGBgYGBgYAAAAAAAAZmZmZmZmZmY8AAAAAAAAw8ZmZmQ8PDgYAAAAAAAAw8PD29p+fm5mAAAAAAAA52Y8PBg8bGbDAAAAAAAAw2ZsPBgYGBgYAAAAAAAAfwYODBgwMGB/AAAAABwQEBAQEBAQEBAQHAAAAAAAQGBgMDAYGAwMBgYAADgYGBgYGBgYGBgYOAAAAAAAGDxmxgAAAAAAAAAAAAAAAAAAAAAAAAAAAAD/AAAwGAAAAAAAAAAAAAAAAAAAAAA8ZgZ+Zm5+AAAAAGBgYGB8dmZmZnZ8AAAAAAAAAAA+dmBgYHY+AAAAAAYGBgY+bkbGRm4+AAAAAAAAAAA8Zmb+QGY+AAAAAA4YGBh+GBgYGBgYAAAAAAAAAAA+bkbGRm4+Bm48AGBgYGB8dmZmZmZmAAAAABgAAAB4GBgYGBh+AAAAABgAAAB4GBgYGBgYGBh4AGBgYGBmbHh4bGZnAAAAAHAQEBAQEBAQEBgeAAAAAAAAAAD+2tvb29vbAAAAAAAAAAB8dmZmZmZmAAAAAAAAAAA8ZmZGZmY8AAAAAAAAAAB8dmZmZnZ8YGBgAAAAAAA+bmZGZm4+BgYGAAAAAAA/ODAwMDAwAAAAAAAAAAA8ZmA8BmY8AAAAAAAAMDD+MDAwMBgeAAAAAAAAAABmZmZmZm4+AAAAAAAAAADGZmYsPDwYAAAAAAAAAADDw9vafn5mAAAAAAAAAABmfDwYPG7mAAAAAAAAAABCZmY8PDwYGDBwAAAAAAB+BgwYMGB+AAAAAA4YGBgYcDgYGBgYDgAAABgYGBgYGBgYGBgYGBgAAHAYGBgYDhgYGBgYcAAAAAAAAAAAAHveAAAAAAAA";

    private readonly byte[] _glyphs = Convert.FromBase64String(Glyphs);

    /// <inheritdoc />
    public override bool IsBuiltIn => true;

    /// <inheritdoc />
    public override float Measure(string text, float size) => Ascii(text).Length * CellWidth * size / NativeSize;

    /// <inheritdoc />
    public override float Ascent(float size) => Baseline * size / NativeSize;

    /// <inheritdoc />
    public override void Draw(SKCanvas canvas, string text, float x, float baseline, float size, SKTextAlign align, SKColor color, bool bold = false)
    {
        text = Ascii(text);
        float scale = size / NativeSize;
        float width = Measure(text, size);
        float left = align switch { SKTextAlign.Center => x - width / 2, SKTextAlign.Right => x - width, _ => x };
        float top = baseline - Baseline * scale;
        using var paint = new SKPaint { Color = color, IsAntialias = false, Style = SKPaintStyle.Fill };
        for (int i = 0; i < text.Length; i++)
        {
            int index = GlyphIndex(text[i]);
            float gx = left + i * CellWidth * scale;
            for (int row = 0; row < CellHeight; row++)
            {
                byte bits = _glyphs[index * CellHeight + row];
                for (int col = 0; col < CellWidth; col++)
                {
                    if ((bits >> (7 - col) & 1) == 0) continue;
                    float px = gx + col * scale;
                    float py = top + row * scale;
                    canvas.DrawRect(px, py, scale * (bold ? 1.6f : 1f), scale, paint);
                }
            }
        }
    }

    private static string Ascii(string text) => text.Replace("\u00b1", "+/-").Replace("\u2026", "...");

    private static int GlyphIndex(char c) => c switch
    {
        >= ' ' and <= '~' => c - ' ',
        '\u2212' or '\u2013' or '\u2014' => '-' - ' ',
        _ => '?' - ' ',
    };

    /// <inheritdoc />
    public override void Dispose() { }
}

using Glassbox.IO;
using SkiaSharp;

namespace Glassbox.Visualization;

/// <summary>Encodes pixel buffers and canvases as PNG.</summary>
internal static class PngImage
{
    /// <summary>
    /// Encodes one C×H×W image with values in [0,1] (C = 1 gray or 3 RGB) as a PNG, each pixel enlarged to a
    /// <paramref name="scale"/>×<paramref name="scale"/> block (nearest neighbour).
    /// </summary>
    public static byte[] FromChw(float[] chw, int channels, int height, int width, int scale = 1)
    {
        ImageShape.Check(chw.Length, channels, height, width, "image");
        if (scale < 1) throw new GlassboxException($"Scale {scale} must be at least 1.");
        using var bitmap = new SKBitmap(width * scale, height * scale, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                SKColor color = ImageShape.PixelColor(chw, channels, height, width, y, x);
                for (int dy = 0; dy < scale; dy++)
                    for (int dx = 0; dx < scale; dx++)
                        bitmap.SetPixel(x * scale + dx, y * scale + dy, color);
            }
        return Encode(bitmap);
    }

    /// <summary>PNG bytes of a bitmap.</summary>
    internal static byte[] Encode(SKBitmap bitmap)
    {
        using SKData data = bitmap.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new GlassboxException("SkiaSharp could not encode the PNG; check that the SkiaSharp native library is installed.");
        return data.ToArray();
    }

    /// <summary>PNG bytes of a surface's current content.</summary>
    internal static byte[] Encode(SKSurface surface)
    {
        using SKImage image = surface.Snapshot();
        using SKData data = image.Encode(SKEncodedImageFormat.Png, 100)
            ?? throw new GlassboxException("SkiaSharp could not encode the PNG; check that the SkiaSharp native library is installed.");
        return data.ToArray();
    }

    /// <summary>Writes PNG bytes to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, byte[] png) => AtomicFile.WriteAllBytes(path, png);
}

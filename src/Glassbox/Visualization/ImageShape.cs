using SkiaSharp;

namespace Glassbox.Visualization;

/// <summary>Shape checks and pixel reads for C×H×W float images shown on screen.</summary>
internal static class ImageShape
{
    /// <summary>Throws a user-facing error when a buffer does not hold C×H×W values or C is not 1 or 3.</summary>
    public static void Check(long length, int channels, int height, int width, string what, long count = 1)
    {
        if (channels is not (1 or 3))
            throw new GlassboxException($"The {what} has {channels} channels; only 1 (gray) or 3 (RGB) can be drawn.");
        if (height <= 0 || width <= 0 || count <= 0)
            throw new GlassboxException($"The {what} has an empty shape {count}×{channels}×{height}×{width}.");
        long expected = count * channels * height * width;
        if (length != expected)
            throw new GlassboxException($"The {what} buffer holds {length} values but its shape {count}×{channels}×{height}×{width} needs {expected}.");
    }

    /// <summary>The display colour of pixel (y, x) of the image starting at <paramref name="offset"/>; values are clamped to [0,1].</summary>
    public static SKColor PixelColor(float[] chw, int channels, int height, int width, int y, int x, int offset = 0)
    {
        int plane = height * width;
        int i = offset + y * width + x;
        if (channels == 1)
        {
            byte g = ToByte(chw[i]);
            return new SKColor(g, g, g);
        }
        return new SKColor(ToByte(chw[i]), ToByte(chw[i + plane]), ToByte(chw[i + 2 * plane]));
    }

    /// <summary>Luminance in [0,1] of pixel (y, x), using ITU-R BT.601 weights for RGB as SHAP does.</summary>
    public static double Gray(float[] chw, int channels, int height, int width, int y, int x, int offset = 0)
    {
        int plane = height * width;
        int i = offset + y * width + x;
        if (channels == 1) return Clamp01(chw[i]);
        return 0.2989 * Clamp01(chw[i]) + 0.5870 * Clamp01(chw[i + plane]) + 0.1140 * Clamp01(chw[i + 2 * plane]);
    }

    /// <summary>Maps a [0,1] value to a byte, clamping out-of-range values and treating NaN as 0.</summary>
    public static byte ToByte(double v) => (byte)Math.Round(255 * Clamp01(v));

    private static double Clamp01(double v) => double.IsNaN(v) ? 0 : Math.Clamp(v, 0, 1);
}

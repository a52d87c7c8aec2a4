namespace Glassbox.Tests.Visualization;

/// <summary>Small deterministic images and attribution maps for rendering tests.</summary>
internal static class SyntheticImages
{
    /// <summary>A 28×28 gray "0"-like ring on black.</summary>
    public static float[] Ring(int h = 28, int w = 28)
    {
        var img = new float[h * w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double dy = (y - h / 2.0) / (h * 0.32), dx = (x - w / 2.0) / (w * 0.22);
                double r = Math.Sqrt(dx * dx + dy * dy);
                img[y * w + x] = (float)Math.Clamp(1 - Math.Abs(r - 1) * 3.2, 0, 1);
            }
        return img;
    }

    /// <summary>An RGB gradient image, 3×H×W.</summary>
    public static float[] Rgb(int h, int w)
    {
        var img = new float[3 * h * w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                img[y * w + x] = x / (float)(w - 1);
                img[h * w + y * w + x] = y / (float)(h - 1);
                img[2 * h * w + y * w + x] = 0.5f;
            }
        return img;
    }

    /// <summary>Attributions: positive in the rectangle [y0,y1)×[x0,x1), negative in [y2,y3)×[x2,x3), zero elsewhere.</summary>
    public static float[] TwoBlobs(int h, int w, (int y0, int y1, int x0, int x1) pos, (int y0, int y1, int x0, int x1) neg, float pv = 1f, float nv = -1f)
    {
        var a = new float[h * w];
        for (int y = pos.y0; y < pos.y1; y++) for (int x = pos.x0; x < pos.x1; x++) a[y * w + x] = pv;
        for (int y = neg.y0; y < neg.y1; y++) for (int x = neg.x0; x < neg.x1; x++) a[y * w + x] = nv;
        return a;
    }

    /// <summary>A smooth signed field with a bump up-left and a dip down-right.</summary>
    public static float[] Smooth(int h, int w, double phase = 0)
    {
        var a = new float[h * w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double p = Math.Exp(-(Math.Pow(y - h * 0.35, 2) + Math.Pow(x - w * (0.35 + phase), 2)) / (h * 0.9));
                double n = Math.Exp(-(Math.Pow(y - h * 0.7, 2) + Math.Pow(x - w * 0.68, 2)) / (h * 0.7));
                a[y * w + x] = (float)(0.02 * p - 0.015 * n);
            }
        return a;
    }

    /// <summary>Decodes PNG bytes.</summary>
    public static SkiaSharp.SKBitmap Decode(byte[] png) =>
        SkiaSharp.SKBitmap.Decode(png) ?? throw new InvalidOperationException("not a decodable PNG");

    /// <summary>True when the bytes start with the PNG signature.</summary>
    public static bool IsPng(byte[] bytes) =>
        bytes.Length > 8 && bytes[0] == 0x89 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G';

    /// <summary>Folder for sample figures when GLASSBOX_VIZ_DIR is set, else null.</summary>
    public static string? GalleryDir => Environment.GetEnvironmentVariable("GLASSBOX_VIZ_DIR") is { Length: > 0 } d ? d : null;
}

using SkiaSharp;

namespace Glassbox.Web.Api;

/// <summary>Encodes C×H×W pixels in [0,1] (1 or 3 channels) as a PNG, for dataset previews.</summary>
internal static class ImagePng
{
    public static byte[] Encode(float[] pixels, int channels, int height, int width)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        int plane = height * width;
        var bytes = new byte[plane * 4];
        static byte B(float v) => (byte)Math.Clamp(MathF.Round(v * 255f), 0, 255);
        for (int i = 0; i < plane; i++)
        {
            bytes[4 * i] = B(pixels[i]);
            bytes[4 * i + 1] = B(channels == 3 ? pixels[plane + i] : pixels[i]);
            bytes[4 * i + 2] = B(channels == 3 ? pixels[2 * plane + i] : pixels[i]);
            bytes[4 * i + 3] = 255;
        }
        System.Runtime.InteropServices.Marshal.Copy(bytes, 0, bitmap.GetPixels(), bytes.Length);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }
}

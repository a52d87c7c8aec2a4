using SkiaSharp;

namespace Glassbox.Data;

/// <summary>Decodes a PNG or JPEG file with SkiaSharp into C×H×W floats in [0,1], optionally resized.</summary>
internal static class ImageDecoder
{
    /// <summary>The decoded image; <paramref name="height"/> and <paramref name="width"/> are its size after any resize.</summary>
    public static float[] Decode(string path, int channels, int? targetHeight, int? targetWidth, out int height, out int width)
    {
        using SKBitmap bitmap = DecodeBitmap(path);
        if (targetHeight is int th && targetWidth is int tw && (bitmap.Height != th || bitmap.Width != tw))
        {
            var info = new SKImageInfo(tw, th, SKColorType.Rgba8888, SKAlphaType.Unpremul);
            using SKBitmap resized = bitmap.Resize(info, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.None))
                ?? throw new GlassboxException($"Could not resize image '{path}' from {bitmap.Height}×{bitmap.Width} to {th}×{tw}.");
            return ToChw(resized, channels, out height, out width);
        }
        return ToChw(bitmap, channels, out height, out width);
    }

    private static SKBitmap DecodeBitmap(string path)
    {
        if (!File.Exists(path))
            throw new GlassboxException($"Image file '{path}' does not exist. Check the path.");
        if (!IO.ContainedPath.IsRegularFile(IO.ContainedPath.RealPath(Path.GetFullPath(path), $"Image file '{path}'")))
            throw new GlassboxException($"Image file '{path}' is not a regular file (a device, pipe or socket). Pass a PNG or JPEG file.");
        using SKCodec? codec = SKCodec.Create(path, out SKCodecResult created);
        if (codec is null)
            throw new GlassboxException($"Cannot read image '{path}': it is not a valid PNG or JPEG file ({created}). Replace or remove the file.");
        int w = codec.Info.Width, h = codec.Info.Height;
        if (w <= 0 || h <= 0)
            throw new GlassboxException($"Cannot read image '{path}': its header gives a size of {w}×{h} pixels. Replace or remove the file.");
        if (w > ImageLoadOptions.MaxSide || h > ImageLoadOptions.MaxSide || (long)w * h > ImageLoadOptions.MaxPixels)
            throw new GlassboxException($"Image '{path}' is {w}×{h} pixels by its header, larger than Glassbox decodes ({ImageLoadOptions.MaxSide} per side, {ImageLoadOptions.MaxPixels} pixels in all). Resize it first.");
        long needed = (long)w * h * (4 + 4 * 3); // RGBA pixels, then up to three float planes
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (available > 0 && needed > available / 2)
            throw new GlassboxException($"Image '{path}' is {w}×{h} pixels; decoding it needs about {needed / (1 << 20)} MB but only {available / (1 << 20)} MB are available. Resize it first.");
        var info = new SKImageInfo(w, h, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var bitmap = new SKBitmap(info);
        if (bitmap.GetPixels() == IntPtr.Zero)
        {
            bitmap.Dispose();
            throw new GlassboxException($"Image '{path}' is {w}×{h} pixels and its pixels could not be allocated. Resize it first or free memory.");
        }
        SKCodecResult result = codec.GetPixels(info, bitmap.GetPixels());
        if (result != SKCodecResult.Success)
        {
            bitmap.Dispose();
            throw new GlassboxException($"Cannot read image '{path}': decoding failed ({result}); the file may be truncated or corrupt. Replace or remove the file.");
        }
        return bitmap;
    }

    private static float[] ToChw(SKBitmap bitmap, int channels, out int height, out int width)
    {
        height = bitmap.Height;
        width = bitmap.Width;
        int plane = height * width;
        ReadOnlySpan<byte> rgba = bitmap.GetPixelSpan();
        int rowBytes = bitmap.RowBytes;
        var result = new float[channels * plane];
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> row = rgba.Slice(y * rowBytes, width * 4);
            for (int x = 0; x < width; x++)
            {
                float r = row[4 * x] / 255f, g = row[4 * x + 1] / 255f, b = row[4 * x + 2] / 255f;
                int i = y * width + x;
                if (channels == 1)
                {
                    result[i] = 0.299f * r + 0.587f * g + 0.114f * b;
                }
                else
                {
                    result[i] = r;
                    result[plane + i] = g;
                    result[2 * plane + i] = b;
                }
            }
        }
        return result;
    }
}

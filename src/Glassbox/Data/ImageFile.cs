namespace Glassbox.Data;

/// <summary>Loads one PNG or JPEG image as a model input.</summary>
public static class ImageFile
{
    /// <summary>
    /// Decodes the image at <paramref name="path"/> into C×H×W floats in [0,1], with 1 (grayscale) or 3 (RGB)
    /// channels, resized bilinearly to <paramref name="height"/>×<paramref name="width"/> if it has another size.
    /// Alpha is ignored.
    /// </summary>
    public static float[] Load(string path, int channels, int height, int width)
    {
        new ImageLoadOptions(channels, height, width).Validate();
        return ImageDecoder.Decode(path, channels, height, width, out _, out _);
    }
}

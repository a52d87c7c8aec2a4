using Glassbox.IO;
using Glassbox.Models;

namespace Glassbox.Data;

/// <summary>Reads images to explain from a .npy file, a PNG/JPEG file, or a folder of PNG/JPEG files.</summary>
public static class InputImages
{
    private static readonly string[] ImageExtensions = [".png", ".jpg", ".jpeg"];

    /// <summary>
    /// N×C×H×W pixels in [0,1] for <paramref name="info"/>'s input size. .npy arrays may be N×C×H×W, N×H×W or H×W
    /// (single channel), float (values in [0,1]) or uint8 (divided by 255). Images are resized to the model's size.
    /// </summary>
    public static (float[] Pixels, int Count, string[] Names) Load(string path, ModelInfo info)
    {
        using var reader = Open(path, info);
        return (reader.Read(0, reader.Count), reader.Count, reader.Names.ToArray());
    }

    /// <summary>
    /// Opens the images of <see cref="Load"/> to be read a chunk at a time: the file's header, shape and size are
    /// checked now, each chunk's values (finite, in [0,1]) when it is read.
    /// </summary>
    public static InputImagesReader Open(string path, ModelInfo info)
    {
        if (Directory.Exists(path))
        {
            var files = Directory.EnumerateFiles(path).Where(IsImage).Order(StringComparer.Ordinal).ToArray();
            if (files.Length == 0) throw new GlassboxException($"Folder '{path}' holds no PNG or JPEG images.");
            return InputImagesReader.Folder(files, info);
        }
        if (!File.Exists(path)) throw new GlassboxException($"Input '{path}' does not exist.");
        if (IsImage(path)) return InputImagesReader.Image(path, info);
        if (!path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            throw new GlassboxException($"Input '{path}' is neither a .npy file, a PNG/JPEG image nor a folder of images.");

        var reader = NpyReader.Open(path);
        try
        {
            int[] shape = reader.Shape;
            int n = shape.Length switch
            {
                4 when shape[1] == info.Channels && shape[2] == info.Height && shape[3] == info.Width => shape[0],
                3 when info.Channels == 1 && shape[1] == info.Height && shape[2] == info.Width => shape[0],
                2 when info.Channels == 1 && shape[0] == info.Height && shape[1] == info.Width => 1,
                _ => throw new GlassboxException(
                    $"'{path}' has shape ({string.Join(", ", shape)}) but the model expects N×{info.Channels}×{info.Height}×{info.Width}" +
                    (info.Channels == 1 ? $", N×{info.Height}×{info.Width} or {info.Height}×{info.Width}" : "") + "."),
            };
            if (n == 0) throw new GlassboxException($"'{path}' holds no images.");
            return InputImagesReader.Npy(path, reader, n, info);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    private static bool IsImage(string p) => ImageExtensions.Contains(Path.GetExtension(p).ToLowerInvariant());
}

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
        int d = info.Channels * info.Height * info.Width;
        if (Directory.Exists(path))
        {
            var files = Directory.EnumerateFiles(path).Where(IsImage).Order(StringComparer.Ordinal).ToArray();
            if (files.Length == 0) throw new GlassboxException($"Folder '{path}' holds no PNG or JPEG images.");
            var all = new float[files.Length * d];
            for (int i = 0; i < files.Length; i++)
                ImageFile.Load(files[i], info.Channels, info.Height, info.Width).CopyTo(all, i * d);
            return (all, files.Length, files.Select(f => Path.GetFileName(f) ?? f).ToArray());
        }
        if (!File.Exists(path)) throw new GlassboxException($"Input '{path}' does not exist.");
        if (IsImage(path))
            return (ImageFile.Load(path, info.Channels, info.Height, info.Width), 1, [Path.GetFileName(path)]);
        if (!path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
            throw new GlassboxException($"Input '{path}' is neither a .npy file, a PNG/JPEG image nor a folder of images.");

        var raw = NpyFile.Read(path);
        int[] shape = raw.Shape;
        float[] px = raw.ToFloat32();
        if (raw.Data is byte[])
            for (int i = 0; i < px.Length; i++) px[i] /= 255f;
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
        foreach (float v in px)
        {
            if (!float.IsFinite(v)) throw new GlassboxException($"'{path}' contains NaN or infinite values.");
            if (v < -1e-3f || v > 1.001f)
                throw new GlassboxException($"'{path}' has pixel value {v}; inputs must be in [0,1] (divide 0–255 data by 255, or save it as uint8).");
        }
        return (px, n, Enumerable.Range(0, n).Select(i => $"{Path.GetFileName(path)}[{i}]").ToArray());
    }

    private static bool IsImage(string p) => ImageExtensions.Contains(Path.GetExtension(p).ToLowerInvariant());
}

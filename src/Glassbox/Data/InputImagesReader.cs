using Glassbox.IO;
using Glassbox.Models;

namespace Glassbox.Data;

/// <summary>
/// The images to explain, read a chunk at a time (<see cref="InputImages.Open"/>): a .npy file is read row by row from
/// disk and an image folder file by file, so the N×C×H×W array of a large input is never in memory at once.
/// </summary>
public sealed class InputImagesReader : IDisposable
{
    private readonly Func<int, int, float[]> _read;
    private readonly Func<int, string> _name;
    private readonly IDisposable? _owned;

    private InputImagesReader(int count, int imageSize, Func<int, int, float[]> read, Func<int, string> name, IDisposable? owned = null)
    {
        Count = count;
        ImageSize = imageSize;
        _read = read;
        _name = name;
        _owned = owned;
    }

    /// <summary>Number of images.</summary>
    public int Count { get; }

    /// <summary>Values per image (C×H×W).</summary>
    public int ImageSize { get; }

    /// <summary>The name of image <paramref name="index"/> (a file name, or "file.npy[i]").</summary>
    public string Name(int index) => _name(index);

    /// <summary>Every image's name, made as enumerated.</summary>
    public IEnumerable<string> Names => Enumerable.Range(0, Count).Select(_name);

    /// <summary>Images [<paramref name="start"/>, <paramref name="start"/>+<paramref name="count"/>) as count×C×H×W pixels in [0,1].</summary>
    public float[] Read(int start, int count)
    {
        if (start < 0 || count < 0 || (long)start + count > Count)
            throw new ArgumentOutOfRangeException(nameof(start), $"Images {start}..{(long)start + count - 1} are outside the {Count} inputs.");
        return _read(start, count);
    }

    /// <summary>Images already in memory (N×C×H×W, <paramref name="names"/>.Length of them).</summary>
    public static InputImagesReader FromPixels(float[] pixels, string[] names, int imageSize)
    {
        if (pixels.LongLength != (long)names.Length * imageSize)
            throw new ArgumentException($"{names.Length} images of {imageSize} values need {(long)names.Length * imageSize} pixels, not {pixels.LongLength}.");
        return new InputImagesReader(names.Length, imageSize,
            (start, count) => start == 0 && count == names.Length ? pixels : pixels.AsSpan(start * imageSize, count * imageSize).ToArray(), i => names[i]);
    }

    /// <summary>
    /// The images at <paramref name="indices"/> (ascending, distinct) as a reader of their own, named as here; reads whole
    /// runs of consecutive indices at once. This reader still owns the source: dispose this one, not the selection.
    /// </summary>
    public InputImagesReader Select(int[] indices)
    {
        for (int i = 0; i < indices.Length; i++)
            if (indices[i] < 0 || indices[i] >= Count || (i > 0 && indices[i] <= indices[i - 1]))
                throw new ArgumentException($"Selected images must be ascending indices below {Count}; index {i} is {indices[i]}.", nameof(indices));
        var chosen = (int[])indices.Clone();
        return new InputImagesReader(chosen.Length, ImageSize, (start, count) =>
        {
            var pixels = new float[(long)count * ImageSize];
            for (int i = 0; i < count;)
            {
                int run = 1;
                while (i + run < count && chosen[start + i + run] == chosen[start + i] + run) run++;
                _read(chosen[start + i], run).CopyTo(pixels, (long)i * ImageSize);
                i += run;
            }
            return pixels;
        }, i => _name(chosen[i]));
    }

    internal static InputImagesReader Folder(string[] files, ModelInfo info)
        => new(files.Length, info.Channels * info.Height * info.Width, (start, count) =>
        {
            int d = info.Channels * info.Height * info.Width;
            var pixels = new float[count * d];
            for (int i = 0; i < count; i++)
                ImageFile.Load(files[start + i], info.Channels, info.Height, info.Width).CopyTo(pixels, i * d);
            return pixels;
        }, i => Path.GetFileName(files[i]) ?? files[i]);

    internal static InputImagesReader Image(string path, ModelInfo info)
        => new(1, info.Channels * info.Height * info.Width, (_, count) => count == 0 ? [] : ImageFile.Load(path, info.Channels, info.Height, info.Width),
            _ => Path.GetFileName(path));

    internal static InputImagesReader Npy(string path, NpyReader reader, int count, ModelInfo info)
    {
        int d = info.Channels * info.Height * info.Width;
        string file = Path.GetFileName(path);
        return new InputImagesReader(count, d, (start, m) =>
        {
            var raw = reader.Shape.Length == 2 ? reader.ReadRows(0, reader.Rows) : reader.ReadRows(start, m);
            float[] px = raw.ToFloat32();
            if (raw.Data is byte[])
                for (int i = 0; i < px.Length; i++) px[i] /= 255f;
            if (reader.Shape.Length == 2 && m == 0) px = [];
            foreach (float v in px)
            {
                if (!float.IsFinite(v)) throw new GlassboxException($"'{path}' contains NaN or infinite values.");
                if (v < -1e-3f || v > 1.001f)
                    throw new GlassboxException($"'{path}' has pixel value {v}; inputs must be in [0,1] (divide 0–255 data by 255, or save it as uint8).");
            }
            return px;
        }, i => $"{file}[{i}]", reader);
    }

    /// <inheritdoc />
    public void Dispose() => _owned?.Dispose();
}

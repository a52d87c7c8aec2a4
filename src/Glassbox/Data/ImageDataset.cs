namespace Glassbox.Data;

/// <summary>
/// Images in memory as float32, N×C×H×W in C order, with integer labels and class names.
/// Pixels are scaled to [0,1] by the loaders; normalisation, if any, is applied by the model's preprocessing.
/// </summary>
public sealed class ImageDataset
{
    /// <summary>Creates a dataset, checking that the shapes agree.</summary>
    public ImageDataset(float[] pixels, int count, int channels, int height, int width, int[] labels, IReadOnlyList<string> classNames)
    {
        if (count < 0 || channels <= 0 || height <= 0 || width <= 0)
            throw new GlassboxException($"Invalid image shape {count}×{channels}×{height}×{width}.");
        if ((long)count * channels * height * width != pixels.LongLength)
            throw new GlassboxException($"Pixel buffer holds {pixels.LongLength} values but {count}×{channels}×{height}×{width} needs {(long)count * channels * height * width}.");
        if (labels.Length != count)
            throw new GlassboxException($"{labels.Length} labels for {count} images: the counts must match.");
        foreach (int l in labels)
            if (l < 0 || l >= classNames.Count)
                throw new GlassboxException($"Label {l} is outside the {classNames.Count} classes.");
        Pixels = pixels; Count = count; Channels = channels; Height = height; Width = width;
        Labels = labels; ClassNames = classNames;
    }

    /// <summary>N×C×H×W pixel values.</summary>
    public float[] Pixels { get; }
    /// <summary>Number of images (N).</summary>
    public int Count { get; }
    /// <summary>Channels per image (C).</summary>
    public int Channels { get; }
    /// <summary>Image height (H).</summary>
    public int Height { get; }
    /// <summary>Image width (W).</summary>
    public int Width { get; }
    /// <summary>Class index of each image.</summary>
    public int[] Labels { get; }
    /// <summary>Name of each class, indexed by label.</summary>
    public IReadOnlyList<string> ClassNames { get; }
    /// <summary>Values per image (C·H·W).</summary>
    public int ImageSize => Channels * Height * Width;

    /// <summary>The images at <paramref name="indices"/>, in that order.</summary>
    public ImageDataset Subset(IReadOnlyList<int> indices)
    {
        int size = ImageSize;
        var px = new float[(long)indices.Count * size];
        var lb = new int[indices.Count];
        for (int i = 0; i < indices.Count; i++)
        {
            int src = indices[i];
            if ((uint)src >= (uint)Count) throw new ArgumentOutOfRangeException(nameof(indices), $"Index {src} is outside 0..{Count - 1}.");
            Array.Copy(Pixels, (long)src * size, px, (long)i * size, size);
            lb[i] = Labels[src];
        }
        return new ImageDataset(px, indices.Count, Channels, Height, Width, lb, ClassNames);
    }

    /// <summary>The first <paramref name="n"/> images (or all, if fewer).</summary>
    public ImageDataset Take(int n) => Subset(Enumerable.Range(0, Math.Min(n, Count)).ToArray());
}

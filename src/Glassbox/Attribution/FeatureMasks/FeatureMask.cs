namespace Glassbox.Attribution.FeatureMasks;

/// <summary>
/// Groups the C×H×W input elements into features (Captum's <c>feature_mask</c>): element i belongs to feature
/// <c>Ids[i]</c>, ids 0..Count−1, each used at least once. One mask is shared by every input of a call.
/// </summary>
public sealed record FeatureMask
{
    /// <summary>Creates a mask, checking that ids are dense (0..max, all present).</summary>
    public FeatureMask(int[] ids, int channels, int height, int width)
    {
        if (ids.Length != channels * height * width)
            throw new GlassboxException($"The feature mask has {ids.Length} entries but the input has {channels}×{height}×{width} = {channels * height * width} elements.");
        int max = -1;
        foreach (int id in ids)
        {
            if (id < 0) throw new GlassboxException($"Feature ids must be non-negative; found {id}.");
            if (id > max) max = id;
        }
        var seen = new bool[max + 1];
        foreach (int id in ids) seen[id] = true;
        int missing = Array.IndexOf(seen, false);
        if (missing >= 0) throw new GlassboxException($"Feature ids must be 0..{max} with none missing; {missing} is not used. Renumber the mask.");
        Ids = ids; Channels = channels; Height = height; Width = width; Count = max + 1;
    }

    /// <summary>Feature id of each C×H×W element.</summary>
    public int[] Ids { get; }
    /// <summary>Channels.</summary>
    public int Channels { get; }
    /// <summary>Height.</summary>
    public int Height { get; }
    /// <summary>Width.</summary>
    public int Width { get; }
    /// <summary>Number of features.</summary>
    public int Count { get; }

    /// <summary>Every element is its own feature (Captum's default when no mask is given).</summary>
    public static FeatureMask PerElement(int channels, int height, int width)
        => new(Enumerable.Range(0, channels * height * width).ToArray(), channels, height, width);

    /// <summary>An H×W mask shared by all channels (a pixel and its channels form one feature).</summary>
    public static FeatureMask FromPixelMask(int[] pixelIds, int channels, int height, int width)
    {
        if (pixelIds.Length != height * width)
            throw new GlassboxException($"The pixel mask has {pixelIds.Length} entries; the image has {height}×{width}.");
        var ids = new int[channels * height * width];
        for (int c = 0; c < channels; c++) Array.Copy(pixelIds, 0, ids, c * height * width, height * width);
        return new FeatureMask(ids, channels, height, width);
    }
}

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
        // Only ids up to the element count can all be present, so a larger max always leaves a gap below it.
        var seen = new bool[Math.Min(max, ids.Length) + 1];
        foreach (int id in ids) if (id < seen.Length) seen[id] = true;
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

    /// <summary>
    /// A mask from integer feature ids in any shape Captum's <c>feature_mask</c> accepts for one N×C×H×W batch: a shape
    /// that broadcasts to the input (H×W, 1×H×W, C×H×W, 1×1×H×W, 1×C×H×W; any dimension may be 1 to share ids along
    /// it). An N×C×H×W mask is accepted only when every input has the same mask, since one mask serves a whole call.
    /// </summary>
    /// <param name="ids">The ids in C order: long[], int[], uint[], ulong[], short[], ushort[], byte[] or sbyte[]; each in 0..2^31 − 1.</param>
    /// <param name="shape">The ids' shape (2 to 4 dimensions).</param>
    /// <param name="channels">Channels of one input.</param>
    /// <param name="height">Height of one input.</param>
    /// <param name="width">Width of one input.</param>
    /// <param name="inputs">Number of inputs N when known; a 4-D mask's first dimension must then be 1 or N.</param>
    public static FeatureMask FromIds(Array ids, IReadOnlyList<int> shape, int channels, int height, int width, int? inputs = null)
    {
        string given = shape.Count == 0 ? "()" : string.Join("×", shape);
        string accepted = $"{height}×{width}, 1×{height}×{width}, {channels}×{height}×{width}, 1×1×{height}×{width} or 1×{channels}×{height}×{width}";
        if (shape.Count is < 2 or > 4)
            throw new GlassboxException($"The feature mask has shape {given}; it must be {accepted} (it must broadcast to one {channels}×{height}×{width} input).");
        long count = 1;
        foreach (int s in shape)
        {
            if (s < 1) throw new GlassboxException($"The feature mask has shape {given}, which is empty; give at least one id per pixel.");
            count *= s;
        }
        if (ids.Length != count)
            throw new GlassboxException($"The feature mask holds {ids.Length} ids but its shape {given} needs {count}.");
        var values = Widen(ids);

        int[] dims = new int[4];
        for (int q = 0; q < 4; q++) dims[q] = q < 4 - shape.Count ? 1 : shape[q - (4 - shape.Count)];
        int[] target = [inputs ?? dims[0], channels, height, width];
        string[] names = ["inputs", "channels", "height", "width"];
        for (int q = 1; q < 4; q++)
            if (dims[q] != 1 && dims[q] != target[q])
                throw new GlassboxException($"The feature mask has shape {given}, which does not broadcast to the {channels}×{height}×{width} input (its {names[q]} is {dims[q]}, not 1 or {target[q]}). Use {accepted}.");
        if (inputs is { } n && dims[0] != 1 && dims[0] != n)
            throw new GlassboxException($"The feature mask has shape {given}: {dims[0]} masks for {n} inputs. Give one mask ({accepted}).");

        for (long e = 0; e < values.Length; e++)
        {
            long v = values[e];
            if (v < 0) throw new GlassboxException($"Feature ids must be non-negative; the feature mask holds {v}.");
            if (v > int.MaxValue) throw new GlassboxException($"Feature ids must be below 2^31; the feature mask holds {v}. Renumber the features 0, 1, 2, ...");
        }

        long per = (long)dims[1] * dims[2] * dims[3];
        for (int i = 1; i < dims[0]; i++)
            for (long e = 0; e < per; e++)
                if (values[i * per + e] != values[e])
                    throw new GlassboxException($"The feature mask has shape {given} and input {i}'s mask differs from input 0's; Glassbox uses one mask for every input of a call. Give one mask ({accepted}) or explain the inputs separately.");

        // Broadcast: a dimension of size 1 repeats along the input's dimension.
        long sc = dims[1] == 1 ? 0 : (long)dims[2] * dims[3], sh = dims[2] == 1 ? 0 : dims[3], sw = dims[3] == 1 ? 0 : 1;
        var result = new int[channels * height * width];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    result[(c * height + y) * width + x] = (int)values[c * sc + y * sh + x * sw];
        return new FeatureMask(result, channels, height, width);
    }

    // Integer ids as long, matched on the exact element type (the runtime lets a ulong[] pass as long[], uint[] as int[]);
    // ulong ids above long.MaxValue are clamped to it, so they are reported as out of range, not wrapped.
    private static long[] Widen(Array ids)
    {
        var type = ids.GetType().GetElementType();
        if (type == typeof(long)) return (long[])ids;
        if (type == typeof(ulong)) return Array.ConvertAll((ulong[])ids, v => v > long.MaxValue ? long.MaxValue : (long)v);
        if (type == typeof(int)) return Array.ConvertAll((int[])ids, v => (long)v);
        if (type == typeof(uint)) return Array.ConvertAll((uint[])ids, v => (long)v);
        if (type == typeof(short)) return Array.ConvertAll((short[])ids, v => (long)v);
        if (type == typeof(ushort)) return Array.ConvertAll((ushort[])ids, v => (long)v);
        if (type == typeof(byte)) return Array.ConvertAll((byte[])ids, v => (long)v);
        if (type == typeof(sbyte)) return Array.ConvertAll((sbyte[])ids, v => (long)v);
        throw new GlassboxException($"The feature mask holds {type?.Name ?? "unknown"} values; feature ids must be integers (save them as int64, int32 or uint8).");
    }
}

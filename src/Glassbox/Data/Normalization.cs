namespace Glassbox.Data;

/// <summary>
/// Per-channel normalisation (x − mean) / std. A mean and std of one value apply to every channel.
/// </summary>
public sealed record Normalization
{
    /// <summary>Creates a normalisation; <paramref name="mean"/> and <paramref name="std"/> must have the same length and std must be positive.</summary>
    public Normalization(float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new GlassboxException($"Normalization needs one mean and one std per channel: got {mean.Length} means and {std.Length} stds.");
        foreach (float s in std)
            if (!(s > 0) || float.IsInfinity(s))
                throw new GlassboxException($"Normalization std values must be positive and finite, got [{string.Join(", ", std)}].");
        Mean = mean;
        Std = std;
    }

    /// <summary>Mean subtracted from each channel.</summary>
    public float[] Mean { get; }

    /// <summary>Standard deviation each channel is divided by.</summary>
    public float[] Std { get; }

    /// <summary>The normalisation that leaves values unchanged (mean 0, std 1 for every channel).</summary>
    public static Normalization Identity => new([0f], [1f]);

    /// <summary>Returns a normalised copy of one C×H×W image (or N×C×H×W images of one plane size each, when <paramref name="planeSize"/> is given).</summary>
    public float[] Apply(float[] pixels, int channels, int? planeSize = null)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        CheckChannels(channels);
        int plane = planeSize ?? (channels > 0 && pixels.Length % channels == 0 ? pixels.Length / channels : -1);
        if (plane <= 0 || pixels.Length % ((long)plane * channels) != 0)
            throw new GlassboxException($"Cannot normalise {pixels.Length} values as images of {channels} channels{(planeSize is null ? "" : $" of {planeSize} pixels")}: the sizes do not divide.");
        var result = new float[pixels.Length];
        for (long start = 0; start < pixels.Length; start += plane)
        {
            int c = (int)(start / plane % channels);
            float m = Mean[Mean.Length == 1 ? 0 : c];
            float inv = 1f / Std[Std.Length == 1 ? 0 : c];
            for (long i = start; i < start + plane; i++)
                result[i] = (pixels[i] - m) * inv;
        }
        return result;
    }

    /// <summary>Returns a copy of <paramref name="dataset"/> with normalised pixels.</summary>
    public ImageDataset Apply(ImageDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        float[] pixels = Apply(dataset.Pixels, dataset.Channels, dataset.Height * dataset.Width);
        return new ImageDataset(pixels, dataset.Count, dataset.Channels, dataset.Height, dataset.Width, dataset.Labels, dataset.ClassNames);
    }

    /// <summary>Per-channel mean and population standard deviation of a dataset's pixels (a constant channel gets std 1).</summary>
    public static Normalization Compute(ImageDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        if (dataset.Count == 0)
            throw new GlassboxException("Cannot compute normalisation statistics of an empty dataset.");
        int channels = dataset.Channels, plane = dataset.Height * dataset.Width;
        var sum = new double[channels];
        var sumSq = new double[channels];
        float[] px = dataset.Pixels;
        for (int n = 0; n < dataset.Count; n++)
            for (int c = 0; c < channels; c++)
            {
                long start = ((long)n * channels + c) * plane;
                double s = 0, s2 = 0;
                for (long i = start; i < start + plane; i++)
                {
                    double v = px[i];
                    s += v;
                    s2 += v * v;
                }
                sum[c] += s;
                sumSq[c] += s2;
            }
        double count = (double)dataset.Count * plane;
        var mean = new float[channels];
        var std = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            double m = sum[c] / count;
            double variance = Math.Max(0, sumSq[c] / count - m * m);
            mean[c] = (float)m;
            std[c] = variance > 1e-12 ? (float)Math.Sqrt(variance) : 1f;
        }
        return new Normalization(mean, std);
    }

    private void CheckChannels(int channels)
    {
        if (channels <= 0)
            throw new GlassboxException($"Channel count must be positive, got {channels}.");
        if (Mean.Length != 1 && Mean.Length != channels)
            throw new GlassboxException($"This normalisation has {Mean.Length} channel values but the images have {channels} channels.");
    }
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace Glassbox.Attribution.Maskers;

/// <summary>
/// A masker (SHAP's word, <c>shap.maskers.Image</c>) decides what hidden pixels become when a Shapley method hides part
/// of an image: a constant, a blurred copy of the image (<c>blur(k,k)</c>), or the hole filled in from its surroundings
/// (<c>inpaint_telea</c>, <c>inpaint_ns</c>). It does not decide which pixels are hidden together; that is the feature
/// mask (Captum's <c>feature_mask</c>, see <see cref="FeatureMasks.MaskSource"/>). Images are C×H×W float arrays;
/// <c>keep[e]</c> says whether element e shows the input.
/// </summary>
public abstract record ImageMasker
{
    /// <summary>The image with the elements not kept replaced.</summary>
    public abstract float[] Apply(float[] image, bool[] keep, int channels, int height, int width);

    /// <summary>A short description (the SHAP string).</summary>
    public abstract string Describe();

    /// <summary>
    /// A masking function for one image, for many masks: maskers whose fill does not depend on the mask (blur,
    /// constant) compute it once.
    /// </summary>
    public virtual Func<bool[], float[]> Prepare(float[] image, int channels, int height, int width)
        => keep => Apply(image, keep, channels, height, width);

    /// <summary>
    /// Parses SHAP's masker strings: <c>blur(KW,KH)</c> (OpenCV's ksize order: width first), <c>inpaint_telea</c>,
    /// <c>inpaint_ns</c>, or a number.
    /// </summary>
    public static ImageMasker Parse(string text)
    {
        string s = text.Trim().ToLowerInvariant();
        if (s == "inpaint_telea") return new TeleaInpainting();
        if (s == "inpaint_ns") return new HarmonicInpainting();
        var m = Regex.Match(s, @"^blur\(\s*(\d+)\s*,\s*(\d+)\s*\)$");
        if (m.Success)
        {
            int kw = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), kh = int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture);
            if (kh < 1 || kw < 1) throw new GlassboxException($"The blur kernel must be at least 1×1, not {kw}×{kh} (width × height).");
            return new BlurMasker(kh, kw);
        }
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v)) return new ConstantMasker((float)v);
        throw new GlassboxException($"Unknown masker '{text}'. Use blur(K,K) (e.g. blur(28,28)), inpaint_telea, inpaint_ns, or a constant like 0.");
    }

    /// <summary>Every element replaced by the mean of its channel (SHAP's fill when an inpainting masker hides everything).</summary>
    protected static float[] ChannelMeans(float[] image, int channels, int plane)
    {
        var result = new float[image.Length];
        for (int c = 0; c < channels; c++)
        {
            double sum = 0;
            for (int p = 0; p < plane; p++) sum += image[c * plane + p];
            Array.Fill(result, (float)(sum / plane), c * plane, plane);
        }
        return result;
    }

    /// <summary>Combines <paramref name="image"/> and <paramref name="fill"/> by <paramref name="keep"/>.</summary>
    protected static float[] Merge(float[] image, float[] fill, bool[] keep)
    {
        var result = new float[image.Length];
        for (int e = 0; e < image.Length; e++) result[e] = keep[e] ? image[e] : fill[e];
        return result;
    }
}

/// <summary>Hidden elements take a constant value.</summary>
/// <param name="Value">The value.</param>
public sealed record ConstantMasker(float Value) : ImageMasker
{
    /// <inheritdoc />
    public override float[] Apply(float[] image, bool[] keep, int channels, int height, int width)
        => Merge(image, Enumerable.Repeat(Value, image.Length).ToArray(), keep);

    /// <inheritdoc />
    public override Func<bool[], float[]> Prepare(float[] image, int channels, int height, int width)
    {
        var fill = Enumerable.Repeat(Value, image.Length).ToArray();
        return keep => Merge(image, fill, keep);
    }

    /// <inheritdoc />
    public override string Describe() => Value.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// Hidden elements take the image blurred by a KH×KW box filter, as <c>cv2.blur</c> (SHAP's <c>blur(KW,KH)</c>): window
/// anchored at its centre, borders reflected without repeating the edge (BORDER_REFLECT_101), any kernel size.
/// </summary>
/// <param name="KernelHeight">Box height.</param>
/// <param name="KernelWidth">Box width.</param>
public sealed record BlurMasker(int KernelHeight, int KernelWidth) : ImageMasker
{
    /// <inheritdoc />
    public override float[] Apply(float[] image, bool[] keep, int channels, int height, int width)
        => Merge(image, Blur(image, channels, height, width), keep);

    /// <inheritdoc />
    public override Func<bool[], float[]> Prepare(float[] image, int channels, int height, int width)
    {
        var fill = Blur(image, channels, height, width);
        return keep => Merge(image, fill, keep);
    }

    /// <summary>The box-blurred image.</summary>
    public float[] Blur(float[] image, int channels, int height, int width)
    {
        var tmp = new double[image.Length];
        var result = new float[image.Length];
        for (int c = 0; c < channels; c++)
        {
            int o = c * height * width;
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    double sum = 0;
                    for (int t = -(KernelWidth / 2); t < KernelWidth - KernelWidth / 2; t++) sum += image[o + y * width + Reflect101(x + t, width)];
                    tmp[o + y * width + x] = sum / KernelWidth;
                }
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                {
                    double sum = 0;
                    for (int t = -(KernelHeight / 2); t < KernelHeight - KernelHeight / 2; t++) sum += tmp[o + Reflect101(y + t, height) * width + x];
                    result[o + y * width + x] = (float)(sum / KernelHeight);
                }
        }
        return result;
    }

    private static int Reflect101(int i, int n)
    {
        if (n == 1) return 0;
        int period = 2 * (n - 1);
        i %= period;
        if (i < 0) i += period;
        return i < n ? i : period - i;
    }

    /// <inheritdoc />
    public override string Describe() => $"blur({KernelWidth},{KernelHeight})";
}

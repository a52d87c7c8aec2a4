using System.Globalization;

namespace Glassbox.Metrics.Common;

/// <summary>
/// Quantus' <c>perturb_baseline</c> words for what a removed element becomes, one value per image: <c>black</c> (the
/// image's minimum), <c>white</c> (its maximum), <c>mean</c> (its mean over all elements) or a number.
/// </summary>
internal static class PerturbationFill
{
    /// <summary>Throws a clear error unless <paramref name="spec"/> is black, white, mean or a finite number.</summary>
    public static void Check(string spec, string metric) => _ = Value(spec, [0f], metric);

    /// <summary>The fill value of <paramref name="image"/> (C×H×W) for <paramref name="spec"/>.</summary>
    public static float Value(string spec, ReadOnlySpan<float> image, string metric)
    {
        switch (spec.Trim().ToLowerInvariant())
        {
            case "black": { float min = float.PositiveInfinity; foreach (float v in image) min = Math.Min(min, v); return min; }
            case "white": { float max = float.NegativeInfinity; foreach (float v in image) max = Math.Max(max, v); return max; }
            case "mean": { double sum = 0; foreach (float v in image) sum += v; return (float)(sum / image.Length); }
        }
        if (float.TryParse(spec.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && float.IsFinite(value)) return value;
        throw new GlassboxException($"{metric}: perturb-baseline must be black (image minimum), white (maximum), mean or a number, not '{spec}'.");
    }

    /// <summary>Every element of <paramref name="image"/> replaced by its fill value.</summary>
    public static float[] Image(string spec, ReadOnlySpan<float> image, string metric)
    {
        var fill = new float[image.Length];
        Array.Fill(fill, Value(spec, image, metric));
        return fill;
    }
}

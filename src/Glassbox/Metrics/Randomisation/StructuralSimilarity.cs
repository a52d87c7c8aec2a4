namespace Glassbox.Metrics.Randomisation;

/// <summary>
/// The structural similarity index (Wang, Bovik, Sheikh and Simoncelli 2004, "Image Quality Assessment: From Error
/// Visibility to Structural Similarity"), as scikit-image's <c>structural_similarity</c> with its defaults: a 7×7 uniform
/// window, K1 = 0.01, K2 = 0.03, sample covariances (×n/(n−1)), the mean over the positions where the window fits
/// inside the image, and over the channels of multi-channel maps.
/// </summary>
public static class StructuralSimilarity
{
    /// <summary>The default window side.</summary>
    public const int Window = 7;

    /// <summary>Quantus' data range for attribution maps: 1 when every |value| ≤ 1 (e.g. maps normalised by their maximum), else 255.</summary>
    public static double QuantusDataRange(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float max = 0;
        foreach (float v in a) max = Math.Max(max, Math.Abs(v));
        foreach (float v in b) max = Math.Max(max, Math.Abs(v));
        return max <= 1 ? 1.0 : 255.0;
    }

    /// <summary>
    /// Mean SSIM of two C×H×W maps. The window is 7 pixels, or the largest odd side that fits maps smaller than 7
    /// (scikit-image refuses those); for a 1-pixel window the covariance correction is left out (it would divide by zero).
    /// </summary>
    public static double Compute(ReadOnlySpan<float> a, ReadOnlySpan<float> b, int channels, int height, int width, double dataRange, int window = Window)
    {
        if (a.Length != b.Length || a.Length != channels * height * width)
            throw new ArgumentException($"SSIM needs two maps of {channels}×{height}×{width} values, got {a.Length} and {b.Length}.");
        if (!(dataRange > 0)) throw new ArgumentOutOfRangeException(nameof(dataRange), "The data range must be positive.");
        int w = Math.Min(window, Math.Min(height, width));
        if (w % 2 == 0) w--;
        if (w < 1) throw new ArgumentOutOfRangeException(nameof(window), "The window needs at least one pixel.");
        int np = w * w;
        double covNorm = np > 1 ? np / (np - 1.0) : 1.0;
        double c1 = Math.Pow(0.01 * dataRange, 2), c2 = Math.Pow(0.03 * dataRange, 2);
        int plane = height * width;
        double total = 0;
        for (int c = 0; c < channels; c++)
        {
            var x = a.Slice(c * plane, plane);
            var y = b.Slice(c * plane, plane);
            double sum = 0;
            int count = 0;
            for (int i = 0; i + w <= height; i++)
                for (int j = 0; j + w <= width; j++)
                {
                    double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
                    for (int di = 0; di < w; di++)
                        for (int dj = 0; dj < w; dj++)
                        {
                            double u = x[(i + di) * width + j + dj], v = y[(i + di) * width + j + dj];
                            sx += u; sy += v; sxx += u * u; syy += v * v; sxy += u * v;
                        }
                    double ux = sx / np, uy = sy / np;
                    double vx = covNorm * (sxx / np - ux * ux), vy = covNorm * (syy / np - uy * uy), vxy = covNorm * (sxy / np - ux * uy);
                    sum += (2 * ux * uy + c1) * (2 * vxy + c2) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
                    count++;
                }
            total += sum / count;
        }
        return total / channels;
    }
}

namespace Glassbox.Attribution.Maskers;

/// <summary>
/// Fills hidden pixels with the harmonic (Laplace) interpolation of the visible ones: the steady state of diffusion
/// into the hole, which is what Navier–Stokes inpainting (Bertalmio et al. 2001, OpenCV's <c>INPAINT_NS</c>, SHAP's
/// <c>inpaint_ns</c>) converges to on smooth images; it does not continue edges into the hole as NS does. Solved per
/// channel by Gauss–Seidel sweeps started from the mean of the visible pixels. A pixel is hidden when any of its
/// channels is; with nothing visible (nothing to inpaint from) every pixel takes its channel's mean, as
/// <c>shap.maskers.Image</c> does.
/// </summary>
public sealed record HarmonicInpainting(int Sweeps = 200) : ImageMasker
{
    /// <inheritdoc />
    public override float[] Apply(float[] image, bool[] keep, int channels, int height, int width)
    {
        int hw = height * width;
        var hidden = new bool[hw];
        for (int c = 0; c < channels; c++)
            for (int p = 0; p < hw; p++) hidden[p] |= !keep[c * hw + p];
        if (hidden.All(x => x)) return ChannelMeans(image, channels, hw);
        var result = (float[])image.Clone();
        for (int c = 0; c < channels; c++)
        {
            int o = c * hw;
            double sum = 0; int count = 0;
            for (int p = 0; p < hw; p++) if (!hidden[p]) { sum += image[o + p]; count++; }
            double start = count > 0 ? sum / count : 0;
            var v = new double[hw];
            for (int p = 0; p < hw; p++) v[p] = hidden[p] ? start : image[o + p];
            if (count > 0)
                for (int sweep = 0; sweep < Sweeps; sweep++)
                    for (int y = 0; y < height; y++)
                        for (int x = 0; x < width; x++)
                        {
                            int p = y * width + x;
                            if (!hidden[p]) continue;
                            double acc = 0; int nb = 0;
                            if (x > 0) { acc += v[p - 1]; nb++; }
                            if (x < width - 1) { acc += v[p + 1]; nb++; }
                            if (y > 0) { acc += v[p - width]; nb++; }
                            if (y < height - 1) { acc += v[p + width]; nb++; }
                            v[p] = acc / nb;
                        }
            for (int p = 0; p < hw; p++) if (hidden[p]) result[o + p] = (float)v[p];
        }
        return result;
    }

    /// <inheritdoc />
    public override string Describe() => "inpaint_ns (harmonic)";
}

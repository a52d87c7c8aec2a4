namespace Glassbox.Attribution.Maskers;

/// <summary>
/// Telea's fast-marching inpainting (Telea 2004, "An Image Inpainting Technique Based on the Fast Marching Method";
/// OpenCV's <c>INPAINT_TELEA</c>, SHAP's <c>inpaint_telea</c>): hidden pixels are filled in order of their distance
/// from the visible region, each as a weighted average of already-known pixels within <see cref="Radius"/>, with
/// Telea's weights (direction × inverse squared distance × level-set proximity) and his first-order gradient term.
/// Values are clamped to the visible pixels' range. A pixel is hidden when any of its channels is; with nothing
/// visible (nothing to inpaint from) every pixel takes its channel's mean, as <c>shap.maskers.Image</c> does.
/// </summary>
/// <param name="Radius">Neighbourhood radius in pixels (SHAP passes 3 to OpenCV).</param>
public sealed record TeleaInpainting(int Radius = 3) : ImageMasker
{
    /// <inheritdoc />
    public override float[] Apply(float[] image, bool[] keep, int channels, int height, int width)
    {
        int hw = height * width;
        var known = new bool[hw];
        Array.Fill(known, true);
        for (int c = 0; c < channels; c++)
            for (int p = 0; p < hw; p++) if (!keep[c * hw + p]) known[p] = false;
        var result = (float[])image.Clone();
        if (known.All(k => k)) return result;
        if (!known.Any(k => k)) return ChannelMeans(image, channels, hw);
        // Distance T from the known region (Dijkstra on the 4-neighbour grid), the fast-marching order.
        var t = new double[hw];
        Array.Fill(t, double.PositiveInfinity);
        var queue = new PriorityQueue<int, double>();
        for (int p = 0; p < hw; p++) if (known[p]) { t[p] = 0; queue.Enqueue(p, 0); }
        var order = new List<int>();
        var done = new bool[hw];
        while (queue.TryDequeue(out int p, out double dist))
        {
            if (done[p] || dist > t[p]) continue;
            done[p] = true;
            if (!known[p]) order.Add(p);
            int y = p / width, x = p % width;
            foreach (var (ny, nx) in new[] { (y - 1, x), (y + 1, x), (y, x - 1), (y, x + 1) })
            {
                if (ny < 0 || ny >= height || nx < 0 || nx >= width) continue;
                int q = ny * width + nx;
                if (t[p] + 1 < t[q]) { t[q] = t[p] + 1; queue.Enqueue(q, t[q]); }
            }
        }
        var filled = (bool[])known.Clone();
        var lo = new float[channels];
        var hi = new float[channels];
        for (int c = 0; c < channels; c++)
        {
            lo[c] = float.MaxValue; hi[c] = float.MinValue;
            for (int p = 0; p < hw; p++)
                if (known[p]) { lo[c] = Math.Min(lo[c], image[c * hw + p]); hi[c] = Math.Max(hi[c], image[c * hw + p]); }
        }
        foreach (int p in order)
        {
            int y = p / width, x = p % width;
            // Level-set normal from the distance field.
            double gy = Grad(t, y, x, height, width, vertical: true), gx = Grad(t, y, x, height, width, vertical: false);
            for (int c = 0; c < channels; c++)
            {
                int o = c * hw;
                double num = 0, den = 0;
                for (int dy = -Radius; dy <= Radius; dy++)
                    for (int dx = -Radius; dx <= Radius; dx++)
                    {
                        int qy = y + dy, qx = x + dx;
                        if ((dy == 0 && dx == 0) || qy < 0 || qy >= height || qx < 0 || qx >= width) continue;
                        int q = qy * width + qx;
                        double r2 = dy * dy + dx * dx;
                        if (!filled[q] || r2 > Radius * Radius) continue;
                        double rx = x - qx, ry = y - qy, len = Math.Sqrt(r2);
                        double dir = Math.Abs(rx * gx + ry * gy) / len;
                        double weight = Math.Max(dir, 1e-6) / r2 / (1 + Math.Abs(t[p] - t[q]));
                        // First-order estimate I(q) + ∇I(q)·(p − q) from known neighbours of q.
                        double ix = PixelGrad(result, o, filled, qy, qx, height, width, vertical: false);
                        double iy = PixelGrad(result, o, filled, qy, qx, height, width, vertical: true);
                        num += weight * (result[o + q] + ix * rx + iy * ry);
                        den += weight;
                    }
                result[o + p] = den > 0 ? (float)Math.Clamp(num / den, lo[c], hi[c]) : lo[c];
            }
            filled[p] = true;
        }
        return result;
    }

    private static double Grad(double[] t, int y, int x, int h, int w, bool vertical)
    {
        int a = vertical ? Math.Max(0, y - 1) : Math.Max(0, x - 1);
        int b = vertical ? Math.Min(h - 1, y + 1) : Math.Min(w - 1, x + 1);
        if (a == b) return 0;
        double ta = vertical ? t[a * w + x] : t[y * w + a], tb = vertical ? t[b * w + x] : t[y * w + b];
        if (double.IsInfinity(ta) || double.IsInfinity(tb)) return 0;
        return (tb - ta) / (b - a);
    }

    private static double PixelGrad(float[] img, int o, bool[] filled, int y, int x, int h, int w, bool vertical)
    {
        int a = vertical ? y - 1 : x - 1, b = vertical ? y + 1 : x + 1;
        int Idx(int i) => vertical ? i * w + x : y * w + i;
        bool Ok(int i) => i >= 0 && i < (vertical ? h : w) && filled[Idx(i)];
        if (Ok(a) && Ok(b)) return (img[o + Idx(b)] - img[o + Idx(a)]) / 2.0;
        int c = vertical ? y : x;
        if (Ok(b)) return img[o + Idx(b)] - img[o + Idx(c)];
        if (Ok(a)) return img[o + Idx(c)] - img[o + Idx(a)];
        return 0;
    }

    /// <inheritdoc />
    public override string Describe() => $"inpaint_telea (radius {Radius})";
}

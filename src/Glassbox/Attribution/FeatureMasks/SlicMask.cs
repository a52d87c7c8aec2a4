using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.FeatureMasks;

/// <summary>
/// SLIC superpixels (Achanta et al. 2012, "SLIC Superpixels Compared to State-of-the-Art Superpixel Methods"),
/// computed per image: k-means in (colour, position) space from a regular grid of about <paramref name="Segments"/>
/// seeds moved to the lowest gradient of their 3×3 neighbourhood, each seed searching a window of ±2S pixels
/// (S = √(H·W / segments)), distance <c>√(d_colour² + (d_xy / S)² · compactness²)</c>. Colour is CIELAB for three
/// channels (sRGB in [0,1]) and the channel mean scaled to 0..100 (the range of L) otherwise, so the default
/// compactness behaves alike for both. Afterwards every connected region gets its own id, regions smaller than
/// <paramref name="MinSizeFactor"/>·H·W/segments are merged into their largest neighbour, and ids are numbered densely in
/// raster order. Deterministic; the mask is shared by all channels.
/// </summary>
/// <param name="Segments">Approximate number of superpixels (≥ 1; at most one per pixel).</param>
/// <param name="Compactness">Weight of spatial against colour distance (higher = squarer superpixels); SLIC's default 10.</param>
/// <param name="Iterations">k-means iterations (SLIC's default 10).</param>
/// <param name="MinSizeFactor">Regions smaller than this fraction of the mean superpixel size are merged into a neighbour.</param>
public sealed record SlicMask(int Segments = 100, double Compactness = 10, int Iterations = 10, double MinSizeFactor = 0.25) : MaskSource
{
    /// <inheritdoc />
    public override bool IsShared => false;

    /// <inheritdoc />
    public override FeatureMask ForInput(Tensor image)
    {
        var (c, h, w) = Dimensions(image);
        using var cpu = image.detach().to_type(ScalarType.Float32).cpu().contiguous();
        var ids = Segment(cpu.data<float>().ToArray(), c, h, w);
        return FeatureMask.FromPixelMask(ids, c, h, w);
    }

    /// <inheritdoc />
    public override string Describe() => $"SLIC superpixels ({Segments} segments, compactness {Compactness})";

    /// <summary>Superpixel id of every pixel (H·W, row-major, ids 0..count−1, each a connected region) of a C×H×W image.</summary>
    public int[] Segment(float[] pixels, int channels, int height, int width)
    {
        if (Segments < 1) throw new GlassboxException($"SLIC needs at least 1 segment, not {Segments}.");
        if (!(Compactness > 0) || double.IsInfinity(Compactness)) throw new GlassboxException($"SLIC compactness must be positive, not {Compactness}.");
        if (Iterations < 1) throw new GlassboxException($"SLIC needs at least 1 iteration, not {Iterations}.");
        if (!(MinSizeFactor >= 0) || MinSizeFactor > 1) throw new GlassboxException($"The SLIC minimum-size factor must be in [0, 1], not {MinSizeFactor}.");
        if (pixels.Length != channels * height * width) throw new ArgumentException("Pixel count does not match C×H×W.");
        if (pixels.Any(v => !float.IsFinite(v))) throw new GlassboxException("The image contains NaN or infinite values; clean it before computing superpixels.");

        int n = height * width;
        var (features, dims) = ColourFeatures(pixels, channels, n);
        int segments = Math.Min(Segments, n);
        double step = Math.Sqrt((double)n / segments);
        int ny = Math.Max(1, (int)Math.Round(height / step)), nx = Math.Max(1, (int)Math.Round(width / step));
        while ((long)ny * nx > segments && (ny > 1 || nx > 1)) { if (ny >= nx) ny--; else nx--; }

        // Seeds on a regular grid, moved to the lowest colour gradient of their 3×3 neighbourhood.
        int k = ny * nx;
        var cy = new double[k];
        var cx = new double[k];
        var cc = new double[k * dims];
        for (int gy = 0; gy < ny; gy++)
            for (int gx = 0; gx < nx; gx++)
            {
                int y = Math.Min(height - 1, (int)((gy + 0.5) * height / ny));
                int x = Math.Min(width - 1, (int)((gx + 0.5) * width / nx));
                (y, x) = LowestGradient(features, dims, height, width, y, x);
                int id = gy * nx + gx;
                cy[id] = y; cx[id] = x;
                Array.Copy(features, (y * width + x) * dims, cc, id * dims, dims);
            }

        var labels = new int[n];
        for (int p = 0; p < n; p++) labels[p] = Math.Min(ny - 1, p / width * ny / height) * nx + Math.Min(nx - 1, p % width * nx / width);
        var best = new double[n];
        double spatial = Compactness * Compactness / (step * step);
        int radius = Math.Max(1, (int)Math.Ceiling(2 * step));
        var sums = new double[k * (dims + 3)];
        for (int iter = 0; iter < Iterations; iter++)
        {
            Array.Fill(best, double.PositiveInfinity);
            for (int id = 0; id < k; id++)
            {
                int y0 = Math.Max(0, (int)cy[id] - radius), y1 = Math.Min(height - 1, (int)cy[id] + radius);
                int x0 = Math.Max(0, (int)cx[id] - radius), x1 = Math.Min(width - 1, (int)cx[id] + radius);
                for (int y = y0; y <= y1; y++)
                    for (int x = x0; x <= x1; x++)
                    {
                        int p = y * width + x;
                        double dc = 0;
                        for (int q = 0; q < dims; q++)
                        {
                            double diff = features[p * dims + q] - cc[id * dims + q];
                            dc += diff * diff;
                        }
                        double dy = y - cy[id], dx = x - cx[id];
                        double dist = dc + (dy * dy + dx * dx) * spatial;
                        if (dist < best[p]) { best[p] = dist; labels[p] = id; }
                    }
            }
            Array.Clear(sums);
            for (int p = 0; p < n; p++)
            {
                int o = labels[p] * (dims + 3);
                sums[o] += 1;
                sums[o + 1] += p / width;
                sums[o + 2] += p % width;
                for (int q = 0; q < dims; q++) sums[o + 3 + q] += features[p * dims + q];
            }
            for (int id = 0; id < k; id++)
            {
                int o = id * (dims + 3);
                if (sums[o] == 0) continue;
                cy[id] = sums[o + 1] / sums[o];
                cx[id] = sums[o + 2] / sums[o];
                for (int q = 0; q < dims; q++) cc[id * dims + q] = sums[o + 3 + q] / sums[o];
            }
        }
        int minSize = (int)(MinSizeFactor * n / k);
        return ConnectedRegions(labels, height, width, minSize);
    }

    // Per-pixel colour: CIELAB for 3 channels (sRGB), else the channel mean × 100.
    private static (double[] Features, int Dims) ColourFeatures(float[] pixels, int channels, int n)
    {
        if (channels == 3)
        {
            var lab = new double[n * 3];
            for (int p = 0; p < n; p++)
            {
                double r = Linear(pixels[p]), g = Linear(pixels[n + p]), b = Linear(pixels[2 * n + p]);
                double fx = F((0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / 0.95047);
                double fy = F(0.2126729 * r + 0.7151522 * g + 0.0721750 * b);
                double fz = F((0.0193339 * r + 0.1191920 * g + 0.9503041 * b) / 1.08883);
                lab[p * 3] = 116 * fy - 16;
                lab[p * 3 + 1] = 500 * (fx - fy);
                lab[p * 3 + 2] = 200 * (fy - fz);
            }
            return (lab, 3);
        }
        var grey = new double[n];
        for (int p = 0; p < n; p++)
        {
            double s = 0;
            for (int c = 0; c < channels; c++) s += pixels[c * n + p];
            grey[p] = 100 * s / channels;
        }
        return (grey, 1);

        static double Linear(double v) => v <= 0.04045 ? v / 12.92 : Math.Pow((Math.Max(v, 0) + 0.055) / 1.055, 2.4);
        static double F(double t) => t > 216.0 / 24389 ? Math.Cbrt(t) : t * 841.0 / 108 + 4.0 / 29;
    }

    private static (int Y, int X) LowestGradient(double[] f, int dims, int h, int w, int y, int x)
    {
        (int, int) best = (y, x);
        double bestGrad = double.PositiveInfinity;
        for (int yy = Math.Max(1, y - 1); yy <= Math.Min(h - 2, y + 1); yy++)
            for (int xx = Math.Max(1, x - 1); xx <= Math.Min(w - 2, x + 1); xx++)
            {
                double g = 0;
                for (int q = 0; q < dims; q++)
                {
                    double gx = f[(yy * w + xx + 1) * dims + q] - f[(yy * w + xx - 1) * dims + q];
                    double gy = f[((yy + 1) * w + xx) * dims + q] - f[((yy - 1) * w + xx) * dims + q];
                    g += gx * gx + gy * gy;
                }
                if (g < bestGrad) { bestGrad = g; best = (yy, xx); }
            }
        return best;
    }

    // Splits labels into 4-connected regions, merges regions below minSize into their largest neighbour, renumbers densely.
    private static int[] ConnectedRegions(int[] labels, int h, int w, int minSize)
    {
        var current = (int[])labels.Clone();
        for (int round = 0; round < 20; round++)
        {
            var (comp, sizes) = Components(current, h, w);
            bool changed = false;
            for (int id = 0; id < sizes.Count; id++)
            {
                if (sizes[id] >= minSize) continue;
                int target = -1;
                for (int p = 0; p < comp.Length; p++)
                {
                    if (comp[p] != id) continue;
                    int y = p / w, x = p % w;
                    foreach (int q in Neighbours(y, x, h, w))
                        if (comp[q] != id && (target < 0 || sizes[comp[q]] > sizes[target])) target = comp[q];
                }
                if (target < 0) continue;
                int label = -1;
                for (int p = 0; p < comp.Length && label < 0; p++) if (comp[p] == target) label = current[p];
                for (int p = 0; p < comp.Length; p++)
                    if (comp[p] == id) { current[p] = label; comp[p] = target; }
                sizes[target] += sizes[id];
                sizes[id] = int.MaxValue; // merged; never a target again
                changed = true;
            }
            if (!changed) break;
        }
        return Components(current, h, w).Comp;
    }

    private static (int[] Comp, List<int> Sizes) Components(int[] labels, int h, int w)
    {
        var comp = new int[labels.Length];
        Array.Fill(comp, -1);
        var sizes = new List<int>();
        var queue = new Queue<int>();
        for (int start = 0; start < labels.Length; start++)
        {
            if (comp[start] >= 0) continue;
            int id = sizes.Count, size = 0;
            comp[start] = id;
            queue.Enqueue(start);
            while (queue.Count > 0)
            {
                int p = queue.Dequeue();
                size++;
                foreach (int q in Neighbours(p / w, p % w, h, w))
                    if (comp[q] < 0 && labels[q] == labels[start]) { comp[q] = id; queue.Enqueue(q); }
            }
            sizes.Add(size);
        }
        return (comp, sizes);
    }

    private static IEnumerable<int> Neighbours(int y, int x, int h, int w)
    {
        if (y > 0) yield return (y - 1) * w + x;
        if (y < h - 1) yield return (y + 1) * w + x;
        if (x > 0) yield return y * w + x - 1;
        if (x < w - 1) yield return y * w + x + 1;
    }
}

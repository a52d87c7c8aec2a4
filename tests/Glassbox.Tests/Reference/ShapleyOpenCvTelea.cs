using Glassbox.Attribution.Maskers;

namespace Glassbox.Tests.Reference;

/// <summary>
/// A test-only re-implementation of OpenCV 4.6's <c>cv2.inpaint(img, mask, 3, INPAINT_TELEA)</c> on single-channel
/// uint8 images (values given as whole floats), written from the algorithm's description to check that the Partition
/// SHAP fixtures made with <c>inpaint_telea</c> differ from Glassbox only by the inpainting: a one-pixel padded frame; the
/// front is the hole's 4-neighbourhood; distances outside the hole (within the radius) are marched first and negated;
/// then the hole is marched from the front with a stable priority queue, each new pixel getting
/// Σw·I / Σw + (Jx + Jy)/‖J‖ + 0.5 rounded to uint8, with OpenCV's weights, its one-sided differences and its index
/// clamps (values and gradients at the first and last rows and columns are read one pixel inwards).
/// </summary>
internal sealed record ShapleyOpenCvTelea(int Radius = 3) : ImageMasker
{
    private const byte Known = 0, Band = 1, Inside = 2, Change = 3;

    public override string Describe() => "OpenCV 4.6 INPAINT_TELEA (test re-implementation)";

    public override float[] Apply(float[] image, bool[] keep, int channels, int height, int width)
    {
        if (channels != 1) throw new ArgumentException("Single-channel images only.");
        if (keep.All(v => v)) return (float[])image.Clone();
        int h = height + 2, w = width + 2, r = Radius;
        var o = image.Select(v => (int)v).ToArray();
        int O(int y, int x) => o[y * width + x];
        var mask = new byte[h * w];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                if (!keep[y * width + x]) mask[(y + 1) * w + x + 1] = Inside;
        var band = new bool[h * w];
        var t = new float[h * w];
        Array.Fill(t, 1.0e6f);
        var front = new Queue();
        var outsideFront = new Queue();
        for (int y = 1; y < h - 1; y++)
            for (int x = 1; x < w - 1; x++)
            {
                int p = y * w + x;
                if (mask[p] == 0 && (mask[p - w] != 0 || mask[p - 1] != 0 || mask[p + 1] != 0 || mask[p + w] != 0))
                {
                    band[p] = true;
                    t[p] = 0;
                    front.Push(y, x, 0);
                    outsideFront.Push(y, x, 0);
                }
            }
        // The region outside the hole within the radius (square dilation), minus the hole and the front.
        var outside = new byte[h * w];
        for (int y = 1; y < h - 1; y++)
            for (int x = 1; x < w - 1; x++)
            {
                int p = y * w + x;
                if (mask[p] != 0 || band[p]) continue;
                bool near = false;
                for (int dy = -r; dy <= r && !near; dy++)
                    for (int dx = -r; dx <= r && !near; dx++)
                    {
                        int yy = y + dy, xx = x + dx;
                        near = yy >= 0 && yy < h && xx >= 0 && xx < w && mask[yy * w + xx] != 0;
                    }
                if (near) outside[p] = Inside;
            }
        March(outside, t, outsideFront, h, w, negate: true, null);
        March(mask, t, front, h, w, negate: false, (i, j) =>
        {
            float gx = Gradient(mask, t, i, j, 0, 1, w), gy = Gradient(mask, t, i, j, 1, 0, w);
            float ia = 0, jx = 0, jy = 0, s = 1.0e-20f;
            for (int k = i - r; k <= i + r; k++)
            {
                int km = k - 1 + (k == 1 ? 1 : 0), kp = k - 1 - (k == h - 2 ? 1 : 0);
                for (int l = j - r; l <= j + r; l++)
                {
                    int lm = l - 1 + (l == 1 ? 1 : 0), lp = l - 1 - (l == w - 2 ? 1 : 0);
                    if (k <= 0 || l <= 0 || k >= h - 1 || l >= w - 1) continue;
                    if (mask[k * w + l] == Inside || (l - j) * (l - j) + (k - i) * (k - i) > r * r) continue;
                    float ry = i - k, rx = j - l;
                    float len2 = rx * rx + ry * ry;
                    float dst = (float)(1.0 / (len2 * MathF.Sqrt(len2)));
                    float lev = (float)(1.0 / (1.0 + Math.Abs(t[k * w + l] - t[i * w + j])));
                    float dir = rx * gx + ry * gy;
                    if (Math.Abs(dir) <= 0.01) dir = 0.000001f;
                    float wt = Math.Abs(dst * lev * dir);
                    float gix, giy;
                    bool right = mask[k * w + l + 1] != Inside, left = mask[k * w + l - 1] != Inside;
                    if (right) gix = left ? (O(km, lp + 1) - O(km, lm - 1)) * 2.0f : O(km, lp + 1) - O(km, lm);
                    else gix = left ? O(km, lp) - O(km, lm - 1) : 0;
                    bool down = mask[(k + 1) * w + l] != Inside, up = mask[(k - 1) * w + l] != Inside;
                    if (down) giy = up ? (O(kp + 1, lm) - O(km - 1, lm)) * 2.0f : O(kp + 1, lm) - O(km, lm);
                    else giy = up ? O(kp, lm) - O(km - 1, lm) : 0;
                    ia += wt * O(km, lm); // OpenCV reads the value at its clamped indices too
                    jx -= wt * (gix * rx);
                    jy -= wt * (giy * ry);
                    s += wt;
                }
            }
            float sat = (float)(ia / s + (jx + jy) / (MathF.Sqrt(jx * jx + jy * jy) + 1.0e-20f) + 0.5f);
            o[(i - 1) * width + j - 1] = (int)Math.Clamp(Math.Round(sat, MidpointRounding.ToEven), 0, 255);
        });
        return o.Select(v => (float)v).ToArray();
    }

    // Fast marching from the queued front over the pixels flagged Inside; fill(i, j) runs as each pixel is reached.
    private static void March(byte[] f, float[] t, Queue heap, int h, int w, bool negate, Action<int, int>? fill)
    {
        while (heap.TryPop(out int ii, out int jj))
        {
            f[ii * w + jj] = negate ? Change : Known;
            foreach (var (i, j) in new[] { (ii - 1, jj), (ii, jj - 1), (ii + 1, jj), (ii, jj + 1) })
            {
                if (i <= 0 || j <= 0 || i > h - 1 || j > w - 1 || f[i * w + j] != Inside) continue;
                float dist = Math.Min(Math.Min(Solve(i - 1, j, i, j - 1, f, t, w), Solve(i + 1, j, i, j - 1, f, t, w)),
                    Math.Min(Solve(i - 1, j, i, j + 1, f, t, w), Solve(i + 1, j, i, j + 1, f, t, w)));
                t[i * w + j] = dist;
                fill?.Invoke(i, j);
                f[i * w + j] = Band;
                heap.Push(i, j, dist);
            }
        }
        if (negate)
            for (int p = 0; p < f.Length; p++)
                if (f[p] == Change) { f[p] = Known; t[p] = -t[p]; }
    }

    private static float Solve(int i1, int j1, int i2, int j2, byte[] f, float[] t, int w)
    {
        double a = t[i1 * w + j1], b = t[i2 * w + j2], m = Math.Min(a, b);
        bool ka = f[i1 * w + j1] != Inside, kb = f[i2 * w + j2] != Inside;
        double sol = ka && kb ? (Math.Abs(a - b) >= 1.0 ? 1 + m : (a + b + Math.Sqrt(2 - (a - b) * (a - b))) * 0.5)
            : ka ? 1 + a : kb ? 1 + b : 1 + m;
        return (float)sol;
    }

    // One component of ∇T at (i, j): central where both neighbours are known, one-sided where one is, else 0.
    private static float Gradient(byte[] f, float[] t, int i, int j, int di, int dj, int w)
    {
        int next = (i + di) * w + j + dj, prev = (i - di) * w + j - dj, here = i * w + j;
        bool kn = f[next] != Inside, kp = f[prev] != Inside;
        if (kn) return kp ? (t[next] - t[prev]) * 0.5f : t[next] - t[here];
        return kp ? t[here] - t[prev] : 0;
    }

    /// <summary>OpenCV's priority queue: smallest time first, first in first out among equal times.</summary>
    private sealed class Queue
    {
        private readonly PriorityQueue<(int, int), (float, long)> _queue = new();
        private long _order;
        public void Push(int i, int j, float time) => _queue.Enqueue((i, j), (time, _order++));
        public bool TryPop(out int i, out int j)
        {
            bool ok = _queue.TryDequeue(out var p, out _);
            (i, j) = p;
            return ok;
        }
    }
}

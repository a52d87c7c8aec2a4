using Glassbox.Attribution;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Localisation;

/// <summary>
/// Pairs each explained map with its image's evidence mask, as Quantus' localisation metrics do: the map is summed over
/// channels per pixel (Quantus scores the H×W map its explain function returns), optionally taken as |·|, and the
/// mask's nonzero pixels are the evidence. A map whose mask is empty scores NaN (Quantus warns and returns NaN).
/// </summary>
internal static class LocalisationMaps
{
    /// <summary>A score of one H·W map against its H·W mask (at least one evidence pixel).</summary>
    public delegate double MapScore(double[] map, bool[] mask, int evidence);

    /// <summary><paramref name="score"/> of every map [n·K+k] of <paramref name="explanation"/> against mask n of <paramref name="masks"/>.</summary>
    public static double[] Scores(Explanation explanation, Tensor masks, string metric, bool absolute, MapScore score, CancellationToken cancel)
    {
        var s = explanation.Shape;
        if (s.Length != 5 || explanation.Values.Length != (long)s[0] * s[1] * s[2] * s[3] * s[4])
            throw new GlassboxException($"{metric}: the explanation from {explanation.Method} is malformed (values and shape [N,K,C,H,W] disagree).");
        int n = s[0], k = s[1], c = s[2], h = s[3], w = s[4], pixels = h * w;
        var flat = MaskPixels(masks, n, h, w, metric);
        var scores = new double[n * k];
        var map = new double[pixels];
        for (int i = 0; i < n; i++)
        {
            var mask = new bool[pixels];
            int evidence = 0;
            for (int p = 0; p < pixels; p++)
                if (flat[i * pixels + p] != 0) { mask[p] = true; evidence++; }
            for (int t = 0; t < k; t++)
            {
                cancel.ThrowIfCancellationRequested();
                if (evidence == 0) { scores[i * k + t] = double.NaN; continue; }
                var values = explanation.Map(i, t);
                Array.Clear(map);
                for (int ch = 0; ch < c; ch++)
                    for (int p = 0; p < pixels; p++) map[p] += values[ch * pixels + p];
                if (absolute) for (int p = 0; p < pixels; p++) map[p] = Math.Abs(map[p]);
                scores[i * k + t] = score(map, mask, evidence);
            }
        }
        return scores;
    }

    /// <summary>The masks as N·H·W floats, after checking that they are N×H×W or N×1×H×W for the explained images.</summary>
    private static float[] MaskPixels(Tensor masks, int n, int h, int w, string metric)
    {
        var shape = masks.shape;
        bool fits = (shape.Length == 3 && shape[0] == n && shape[1] == h && shape[2] == w)
                    || (shape.Length == 4 && shape[0] == n && shape[1] == 1 && shape[2] == h && shape[3] == w);
        if (!fits)
            throw new GlassboxException(
                $"{metric} needs one evidence mask per explained image, {n}×{h}×{w} (or {n}×1×{h}×{w}), but the masks are {string.Join("×", shape)}; " +
                "pass the masks of the images that were explained.");
        using var scope = torch.NewDisposeScope();
        var values = masks.to_type(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        if (values.Any(v => !float.IsFinite(v)))
            throw new GlassboxException($"{metric}: the evidence masks hold NaN or infinite values; a mask is nonzero on the evidence and zero elsewhere.");
        return values;
    }

    /// <summary>Pixel indices sorted by value, largest first; ties keep the lower index first (Quantus' argsort leaves them unspecified).</summary>
    public static int[] Descending(double[] map)
    {
        var idx = Enumerable.Range(0, map.Length).ToArray();
        Array.Sort(idx, (a, b) => map[a] != map[b] ? map[b].CompareTo(map[a]) : a.CompareTo(b));
        return idx;
    }
}

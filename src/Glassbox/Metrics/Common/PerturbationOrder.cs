using Glassbox.Attribution;
using Glassbox.Models;
using TorchSharp;

namespace Glassbox.Metrics.Common;

/// <summary>
/// What the removal metrics (deletion, insertion, pixel flipping, region perturbation, ROAD, IROF) share: ranking
/// features (pixels, patches, superpixels) by attribution, and the model's output along a sequence of images that
/// replace more and more of those features.
/// </summary>
internal static class PerturbationOrder
{
    /// <summary>True for "morf" (most relevant first), false for "lerf" (least relevant first); anything else is an error.</summary>
    public static bool MostRelevantFirst(string order, string metric) => order.Trim().ToLowerInvariant() switch
    {
        "morf" => true,
        "lerf" => false,
        _ => throw new GlassboxException($"{metric}: order must be morf (most relevant first) or lerf (least relevant first), not '{order}'."),
    };

    /// <summary>Each feature's attribution: the sum (or mean) of the map's values (or |values|) over the elements with that id.</summary>
    public static double[] FeatureScores(ReadOnlySpan<float> map, int[] ids, int count, bool mean, bool absolute)
    {
        var sum = new double[count];
        var size = new int[count];
        for (int e = 0; e < ids.Length; e++)
        {
            sum[ids[e]] += absolute ? Math.Abs(map[e]) : map[e];
            size[ids[e]]++;
        }
        if (mean) for (int f = 0; f < count; f++) if (size[f] > 0) sum[f] /= size[f];
        return sum;
    }

    /// <summary>Feature ids by decreasing (<paramref name="descending"/>) or increasing score; ties keep the lower id first.</summary>
    public static int[] Rank(double[] scores, bool descending)
    {
        var order = Enumerable.Range(0, scores.Length).ToArray();
        Array.Sort(order, (a, b) =>
        {
            int c = descending ? scores[b].CompareTo(scores[a]) : scores[a].CompareTo(scores[b]);
            return c != 0 ? c : a.CompareTo(b);
        });
        return order;
    }

    /// <summary>The elements of every feature id 0..count−1, in increasing element order.</summary>
    public static int[][] Members(int[] ids, int count)
    {
        var lists = Enumerable.Range(0, count).Select(_ => new List<int>()).ToArray();
        for (int e = 0; e < ids.Length; e++) lists[ids[e]].Add(e);
        return lists.Select(l => l.ToArray()).ToArray();
    }

    /// <summary>
    /// The explained output of <paramref name="target"/> along a path of images: point s is <paramref name="start"/> with the
    /// elements of the first <paramref name="replacedAt"/>[s] features of <paramref name="order"/> taken from
    /// <paramref name="end"/>. Images are built chunk by chunk, <paramref name="batchSize"/> per forward pass.
    /// </summary>
    public static double[] Curve(IImageModel model, ReadOnlySpan<float> start, ReadOnlySpan<float> end, int[][] members, int[] order,
        int[] replacedAt, int target, OutputSpace output, int batchSize, CancellationToken cancel)
    {
        int d = start.Length, points = replacedAt.Length;
        var info = model.Info;
        var current = start.ToArray();
        var curve = new double[points];
        int replaced = 0;
        for (int first = 0; first < points; first += batchSize)
        {
            cancel.ThrowIfCancellationRequested();
            int m = Math.Min(batchSize, points - first);
            var batch = new float[m * d];
            for (int s = 0; s < m; s++)
            {
                for (; replaced < replacedAt[first + s]; replaced++)
                    foreach (int e in members[order[replaced]]) current[e] = end[e];
                current.CopyTo(batch, s * d);
            }
            using var x = torch.tensor(batch, [m, info.Channels, info.Height, info.Width]);
            MetricInputs.ClassScores(model, x, output, Enumerable.Repeat(target, m).ToArray(), m).CopyTo(curve, first);
        }
        return curve;
    }

    /// <summary>Trapezoidal area under equally spaced values with unit spacing (NumPy's <c>trapz(y, dx=1)</c>, Quantus' <c>calculate_auc</c>).</summary>
    public static double UnitTrapezoid(double[] y)
    {
        double area = 0;
        for (int i = 1; i < y.Length; i++) area += (y[i] + y[i - 1]) / 2;
        return area;
    }
}

using Glassbox.Attribution;
using Glassbox.Metrics.Common;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Faithfulness;

/// <summary>
/// What the perturbation metrics of <see cref="FaithfulnessMetricsB"/> share: the explained inputs as flat pixels, the
/// explained output of many perturbed copies of one image, Quantus' "black" baseline, and the correlations they report.
/// </summary>
internal static class PerturbationTrials
{
    /// <summary>The inputs as one flat C-order float array (N·C·H·W).</summary>
    public static float[] Pixels(Tensor inputs)
    {
        using var cpu = inputs.detach().to_type(ScalarType.Float32).cpu().contiguous();
        return cpu.data<float>().ToArray();
    }

    /// <summary>The explained output (logit or probability, as the explanation's) of class <paramref name="target"/> for <paramref name="count"/> images in <paramref name="batch"/>.</summary>
    public static double[] Scores(IImageModel model, float[] batch, int count, int target, OutputSpace output, int batchSize)
    {
        var info = model.Info;
        using var x = torch.tensor(batch.AsSpan(0, count * info.Channels * info.Height * info.Width).ToArray(),
            [count, info.Channels, info.Height, info.Width]);
        return MetricInputs.ClassScores(model, x, output, Enumerable.Repeat(target, count).ToArray(), batchSize);
    }

    /// <summary>The map as doubles, |φ| when <paramref name="absolute"/>, divided by max |φ| when <paramref name="normalise"/> (Quantus' <c>normalise_by_max</c>).</summary>
    public static double[] Prepare(ReadOnlySpan<float> map, bool absolute, bool normalise)
    {
        var a = new double[map.Length];
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = absolute ? Math.Abs(map[i]) : map[i];
            max = Math.Max(max, Math.Abs(a[i]));
        }
        if (normalise && max > 0) for (int i = 0; i < a.Length; i++) a[i] /= max;
        return a;
    }

    /// <summary>Feature indices by ascending value, ties by index (a stable order; NumPy's default argsort leaves ties unspecified).</summary>
    public static int[] Ascending(double[] values)
    {
        var order = Enumerable.Range(0, values.Length).ToArray();
        Array.Sort(order, (x, y) => values[x] != values[y] ? values[x].CompareTo(values[y]) : x.CompareTo(y));
        return order;
    }

    /// <summary>Pearson's r (scipy's <c>pearsonr</c>); NaN when either side is constant or shorter than 2.</summary>
    public static double Pearson(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        int n = a.Count;
        if (n < 2 || b.Count != n) return double.NaN;
        double ma = a.Average(), mb = b.Average(), sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < n; i++)
        {
            double da = a[i] - ma, db = b[i] - mb;
            sab += da * db; saa += da * da; sbb += db * db;
        }
        if (saa == 0 || sbb == 0) return double.NaN;
        return Math.Clamp(sab / Math.Sqrt(saa * sbb), -1, 1);
    }

    /// <summary>Spearman's ρ (scipy's <c>spearmanr</c>: Pearson's r of the ranks, ties averaged).</summary>
    public static double Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b) => Pearson(Ranks(a), Ranks(b));

    /// <summary>1-based ranks with ties averaged.</summary>
    public static double[] Ranks(IReadOnlyList<double> values)
    {
        int n = values.Count;
        var idx = Enumerable.Range(0, n).ToArray();
        Array.Sort(idx, (x, y) => values[x].CompareTo(values[y]));
        var ranks = new double[n];
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && values[idx[j + 1]] == values[idx[i]]) j++;
            for (int t = i; t <= j; t++) ranks[idx[t]] = (i + j) / 2.0 + 1;
            i = j + 1;
        }
        return ranks;
    }

    /// <summary>Throws unless <paramref name="value"/> is at least <paramref name="min"/>.</summary>
    public static void AtLeast(string metric, string option, double value, double min)
    {
        if (!(value >= min)) throw new GlassboxException($"{metric}: {option} must be at least {min}, not {value}.");
    }
}

using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Faithfulness;

/// <summary>Settings for <see cref="Deletion"/>.</summary>
/// <param name="Steps">Points on the curve after the unperturbed one (pixels removed in equal shares).</param>
/// <param name="BaselineValue">Pixel value that "removes" a pixel (0 = black background for MNIST-like data).</param>
/// <param name="RandomSeed">Seed of the random-order reference curve.</param>
/// <param name="BatchSize">Perturbed images per forward pass.</param>
public sealed record DeletionOptions(int Steps = 20, float BaselineValue = 0f, int RandomSeed = 0, int BatchSize = 512);

/// <summary>Mean deletion curves and their areas.</summary>
/// <param name="Fractions">Share of pixels removed at each point, 0..1.</param>
/// <param name="AttributionCurve">Mean class probability when removing pixels in order of decreasing attribution.</param>
/// <param name="RandomCurve">Mean class probability when removing pixels in random order.</param>
/// <param name="AttributionAuc">Area under the attribution-order curve (lower = more faithful).</param>
/// <param name="RandomAuc">Area under the random-order curve.</param>
/// <param name="ShareFasterThanRandom">Share of images whose attribution-order area is below their random-order area.</param>
/// <param name="Images">Images evaluated.</param>
public sealed record DeletionResult(double[] Fractions, double[] AttributionCurve, double[] RandomCurve,
    double AttributionAuc, double RandomAuc, double ShareFasterThanRandom, int Images)
{
    /// <summary>True when removing pixels by attribution drops the class score faster than random removal, on average.</summary>
    public bool BeatsRandom => AttributionAuc < RandomAuc;
}

/// <summary>
/// The deletion metric (Petsiuk et al. 2018, "RISE"; pixel flipping, Bach et al. 2015): remove the most important
/// pixels first and watch the class probability fall; a faithful explanation makes it fall faster than random order.
/// </summary>
public static class Deletion
{
    /// <summary>Curves for <paramref name="images"/> (N×C×H×W) with per-pixel attributions N×C×H×W for <paramref name="targets"/>.</summary>
    public static DeletionResult Evaluate(IImageModel model, float[] images, float[] attributions, int[] targets, DeletionOptions? options = null)
    {
        options ??= new DeletionOptions();
        if (options.Steps < 1) throw new GlassboxException("Deletion needs at least one step.");
        var info = model.Info;
        int d = info.Channels * info.Height * info.Width, n = targets.Length;
        if (images.Length != n * d || attributions.Length != n * d)
            throw new GlassboxException($"Deletion needs {n} images and attribution maps of {d} values each.");
        var fractions = Enumerable.Range(0, options.Steps + 1).Select(s => (double)s / options.Steps).ToArray();
        var rng = new Random(options.RandomSeed);
        var attrCurves = new double[n, fractions.Length];
        var randCurves = new double[n, fractions.Length];
        for (int i = 0; i < n; i++)
        {
            var attr = attributions.AsSpan(i * d, d).ToArray();
            var byAttr = Enumerable.Range(0, d).ToArray();
            Array.Sort(byAttr, (a, b) => attr[b] != attr[a] ? attr[b].CompareTo(attr[a]) : a.CompareTo(b));
            var random = Enumerable.Range(0, d).ToArray();
            rng.Shuffle(random);
            Curve(model, images.AsSpan(i * d, d), byAttr, targets[i], fractions, options, attrCurves, i);
            Curve(model, images.AsSpan(i * d, d), random, targets[i], fractions, options, randCurves, i);
        }
        var meanAttr = Mean(attrCurves, n, fractions.Length);
        var meanRand = Mean(randCurves, n, fractions.Length);
        int faster = 0;
        for (int i = 0; i < n; i++)
            if (Auc(fractions, Row(attrCurves, i)) < Auc(fractions, Row(randCurves, i))) faster++;
        return new DeletionResult(fractions, meanAttr, meanRand, Auc(fractions, meanAttr), Auc(fractions, meanRand), n == 0 ? double.NaN : (double)faster / n, n);
    }

    /// <summary>Trapezoidal area under y(x).</summary>
    public static double Auc(double[] x, double[] y)
    {
        double area = 0;
        for (int i = 1; i < x.Length; i++) area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
        return area;
    }

    private static void Curve(IImageModel model, ReadOnlySpan<float> image, int[] order, int target, double[] fractions,
        DeletionOptions options, double[,] into, int row)
    {
        int d = image.Length, points = fractions.Length;
        var batch = new float[points * d];
        var current = image.ToArray();
        int removed = 0;
        for (int s = 0; s < points; s++)
        {
            int upto = (int)Math.Round(fractions[s] * d);
            for (; removed < upto; removed++) current[order[removed]] = options.BaselineValue;
            current.CopyTo(batch, s * d);
        }
        var info = model.Info;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        for (int start = 0; start < points; start += options.BatchSize)
        {
            int m = Math.Min(options.BatchSize, points - start);
            var x = torch.tensor(batch.AsSpan(start * d, m * d).ToArray(), [m, info.Channels, info.Height, info.Width], device: model.Device);
            var p = nn.functional.softmax(model.Forward(x), 1).select(1, target).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
            for (int j = 0; j < m; j++) into[row, start + j] = p[j];
        }
    }

    private static double[] Row(double[,] m, int r) => Enumerable.Range(0, m.GetLength(1)).Select(c => m[r, c]).ToArray();

    private static double[] Mean(double[,] m, int rows, int cols)
        => Enumerable.Range(0, cols).Select(c => rows == 0 ? double.NaN : Enumerable.Range(0, rows).Average(r => m[r, c])).ToArray();
}

using Glassbox.Attribution;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Robustness;

/// <summary>
/// Explains again with an <see cref="ExplainFunction"/>: rows of (image, target) explained in chunks, each map handed to a
/// visitor as soon as its chunk is done, so that many perturbed copies never sit in memory at once.
/// </summary>
internal static class Reexplanation
{
    /// <summary>
    /// Explains image <paramref name="imageOf"/>[r] of <paramref name="images"/> for class <paramref name="targetOf"/>[r],
    /// <paramref name="batch"/> rows per call, and calls <paramref name="visit"/>(r, map) for every row in order.
    /// </summary>
    public static void Rows(ExplainFunction explain, IImageModel model, Tensor images, int[] imageOf, int[] targetOf, int batch,
        Action<int, ReadOnlySpan<float>> visit, string metric, CancellationToken cancel)
    {
        if (imageOf.Length != targetOf.Length) throw new ArgumentException("One target per row is needed.");
        if (batch < 1) throw new GlassboxException($"{metric} needs a batch size of at least 1.");
        long d = images.shape[1] * images.shape[2] * images.shape[3];
        for (int start = 0; start < imageOf.Length; start += batch)
        {
            cancel.ThrowIfCancellationRequested();
            int m = Math.Min(batch, imageOf.Length - start);
            Explanation e;
            using (var scope = torch.NewDisposeScope())
            {
                var index = torch.tensor(imageOf.AsSpan(start, m).ToArray().Select(i => (long)i).ToArray(), device: images.device);
                var chunk = images.index_select(0, index);
                e = explain(model, chunk, TargetSelection.PerInput(targetOf.AsSpan(start, m).ToArray()), cancel);
            }
            if (e.Shape.Length != 5 || e.Shape[0] != m || e.Shape[1] != 1 || e.MapSize != d || e.Values.Length != m * d)
                throw new GlassboxException(
                    $"{metric}: the explain function returned maps of shape {string.Join("×", e.Shape)} for {m} images with one target each; " +
                    $"it must return {m}×1×{string.Join("×", images.shape.Skip(1))} maps.");
            for (int i = 0; i < m; i++) visit(start + i, e.Map(i, 0));
        }
    }

    /// <summary>
    /// The maps of <paramref name="inputs"/> for the targets of <paramref name="explanation"/>, re-explained with
    /// <paramref name="explain"/> on <paramref name="model"/> (perhaps another model, or other targets when
    /// <paramref name="targets"/> is given): [n·K+k] × map size.
    /// </summary>
    public static float[][] Maps(ExplainFunction explain, IImageModel model, Tensor inputs, Explanation explanation, int[]? targets,
        int batch, string metric, CancellationToken cancel)
    {
        int k = explanation.TargetsPerInput, count = explanation.Count * k;
        targets ??= explanation.Targets;
        var imageOf = Enumerable.Range(0, count).Select(i => i / k).ToArray();
        var maps = new float[count][];
        Rows(explain, model, inputs, imageOf, targets, batch, (r, map) => maps[r] = map.ToArray(), metric, cancel);
        return maps;
    }

    /// <summary>
    /// Quantus' <c>normalise_by_max</c>: <paramref name="map"/> / max |map| (left as it is when all zero); with
    /// <paramref name="absolute"/> first |map| (Quantus <c>abs=True</c>).
    /// </summary>
    public static float[] NormaliseByMax(ReadOnlySpan<float> map, bool absolute, bool normalise)
    {
        var r = map.ToArray();
        if (normalise)
        {
            float max = 0;
            foreach (float v in r) max = Math.Max(max, Math.Abs(v));
            if (max > 0)
                for (int i = 0; i < r.Length; i++) r[i] /= max;
        }
        if (absolute)
            for (int i = 0; i < r.Length; i++) r[i] = Math.Abs(r[i]);
        return r;
    }

    /// <summary>
    /// Quantus' <c>normalise_by_negative</c>: positive values divided by the largest, negative ones by |smallest|, so the
    /// map lies in [−1, 1] with its extremes kept (left as it is when all zero).
    /// </summary>
    public static float[] NormaliseByNegative(ReadOnlySpan<float> map)
    {
        var r = map.ToArray();
        float max = 0, min = 0;
        foreach (float v in r) { max = Math.Max(max, v); min = Math.Min(min, v); }
        for (int i = 0; i < r.Length; i++)
        {
            if (r[i] > 0) r[i] /= max;
            else if (r[i] < 0) r[i] /= -min;
        }
        return r;
    }

    /// <summary>The class the model predicts (argmax of the logits) for every image, in chunks of <paramref name="batch"/>.</summary>
    public static long[] Predictions(IImageModel model, Tensor images, int batch)
    {
        long n = images.shape[0];
        var result = new long[n];
        using var noGrad = torch.no_grad();
        for (long start = 0; start < n; start += batch)
        {
            using var scope = torch.NewDisposeScope();
            long m = Math.Min(batch, n - start);
            var logits = model.Forward(images.narrow(0, start, m).to(model.Device));
            logits.argmax(1).cpu().data<long>().ToArray().CopyTo(result, start);
        }
        return result;
    }

    /// <summary>The logits for every image as doubles, N × classes, in chunks of <paramref name="batch"/>.</summary>
    public static double[][] Logits(IImageModel model, Tensor images, int batch)
    {
        long n = images.shape[0];
        var result = new double[n][];
        using var noGrad = torch.no_grad();
        for (long start = 0; start < n; start += batch)
        {
            using var scope = torch.NewDisposeScope();
            long m = Math.Min(batch, n - start);
            var logits = model.Forward(images.narrow(0, start, m).to(model.Device)).to_type(ScalarType.Float64).cpu();
            int classes = (int)logits.shape[1];
            var flat = logits.data<double>().ToArray();
            for (int i = 0; i < m; i++) result[start + i] = flat.AsSpan(i * classes, classes).ToArray();
        }
        return result;
    }
}

using Glassbox.Attribution;
using Glassbox.Metrics.Common;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Robustness;

/// <summary>One explained image and its perturbed copies, as a robustness metric scores them.</summary>
internal sealed class PerturbedImage
{
    /// <summary>Index of the image in the batch.</summary>
    public required int Index { get; init; }
    /// <summary>The image, C·H·W values.</summary>
    public required float[] Pixels { get; init; }
    /// <summary>The perturbed copies, samples × C·H·W values.</summary>
    public required float[] Perturbed { get; init; }
    /// <summary>Logits of the image (when the metric asked for them).</summary>
    public double[]? Logits { get; init; }
    /// <summary>Logits of every perturbed copy (when the metric asked for them).</summary>
    public double[][]? PerturbedLogits { get; init; }

    /// <summary>The model's internal representation of the image (when the metric asked for it).</summary>
    public float[]? Representation { get; init; }
    /// <summary>The internal representation of every perturbed copy (when the metric asked for it).</summary>
    public float[][]? PerturbedRepresentations { get; init; }

    /// <summary>Copy <paramref name="s"/>.</summary>
    public ReadOnlySpan<float> Copy(int s) => Perturbed.AsSpan(s * Pixels.Length, Pixels.Length);

    /// <summary>True when copy <paramref name="s"/> changes the predicted class (argmax of the logits).</summary>
    public bool PredictionChanges(int s) => ArgMax(PerturbedLogits![s]) != ArgMax(Logits!);

    private static int ArgMax(double[] v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++) if (v[i] > v[best]) best = i;
        return best;
    }
}

/// <summary>
/// The loop robustness metrics share (Captum's <c>sensitivity_max</c>, Quantus' robustness metrics): perturb every
/// image <c>samples</c> times with noise from one seeded generator (image by image, in order, as one draw of
/// N·samples images would), explain every copy for each of the image's targets, score each (map, copy) and aggregate
/// the copies of a map into its score.
/// </summary>
internal static class PerturbationRun
{
    /// <summary>Noise of the given shape drawn from <paramref name="generator"/> (float32, CPU).</summary>
    public delegate Tensor Noise(long[] shape, Generator generator);

    /// <summary>Score of copy s of an image for target map k: (image, k, s, original map, re-explained map) → score.</summary>
    public delegate double SampleScore(PerturbedImage image, int k, int s, ReadOnlySpan<float> original, ReadOnlySpan<float> perturbed);

    /// <summary>
    /// One score per map [n·K+k]: <paramref name="aggregate"/> of the <paramref name="samples"/> sample scores of the map;
    /// with <paramref name="needLogits"/> the images carry their logits, with <paramref name="representation"/> (images →
    /// one vector per image) their internal representations.
    /// </summary>
    public static double[] Scores(IImageModel model, Tensor inputs, Explanation explanation, ExplainFunction explain, string metric,
        int samples, int seed, Noise noise, bool needLogits, int batch, SampleScore score, Func<double[], double> aggregate,
        CancellationToken cancel, Func<Tensor, float[][]>? representation = null)
    {
        var sampleScores = SampleScores(model, inputs, explanation, explain, metric, samples, seed, noise, needLogits, batch, score, cancel, representation);
        return sampleScores.Select(aggregate).ToArray();
    }

    /// <summary>
    /// The sample scores of every map [n·K+k] (one per perturbed copy). The copies of as many whole images as fit in
    /// <paramref name="batch"/> rows (images × targets × copies) are explained in one call of <paramref name="explain"/>;
    /// the noise is still drawn image by image in order, so the copies do not depend on <paramref name="batch"/>.
    /// </summary>
    public static double[][] SampleScores(IImageModel model, Tensor inputs, Explanation explanation, ExplainFunction explain, string metric,
        int samples, int seed, Noise noise, bool needLogits, int batch, SampleScore score,
        CancellationToken cancel, Func<Tensor, float[][]>? representation = null)
    {
        MetricInputs.CheckExplained(model, inputs, explanation, metric);
        if (samples < 1) throw new GlassboxException($"{metric} needs at least one perturbed sample.");
        if (batch < 1) throw new GlassboxException($"{metric} needs a batch size of at least 1.");
        int n = explanation.Count, k = explanation.TargetsPerInput, d = explanation.MapSize;
        var shape = inputs.shape;
        var scores = new double[n * k][];
        for (int m = 0; m < scores.Length; m++) scores[m] = new double[samples];
        using var generator = new Generator((ulong)seed);
        using var x = inputs.detach().to_type(ScalarType.Float32).cpu().contiguous();
        var pixels = x.data<float>().ToArray();
        int rowsPerImage = k * samples;
        int group = Math.Max(1, batch / rowsPerImage);
        for (int first = 0; first < n; first += group)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            int g = Math.Min(group, n - first);
            var copies = new PerturbedImage[g];
            var perturbed = new Tensor[g];
            for (int j = 0; j < g; j++)
            {
                int image = first + j;
                var original = x.narrow(0, image, 1);
                perturbed[j] = original.repeat(samples, 1, 1, 1) + noise([samples, shape[1], shape[2], shape[3]], generator);
                copies[j] = new PerturbedImage
                {
                    Index = image,
                    Pixels = pixels.AsSpan(image * d, d).ToArray(),
                    Perturbed = perturbed[j].contiguous().data<float>().ToArray(),
                    Logits = needLogits ? Reexplanation.Logits(model, original, batch)[0] : null,
                    PerturbedLogits = needLogits ? Reexplanation.Logits(model, perturbed[j], batch) : null,
                    Representation = representation?.Invoke(original)[0],
                    PerturbedRepresentations = representation?.Invoke(perturbed[j]),
                };
            }
            var all = g == 1 ? perturbed[0] : torch.cat(perturbed, 0);
            // Row r = (j·K + t)·samples + s explains copy s of image first+j for its target slot t.
            var imageOf = new int[g * rowsPerImage];
            var targetOf = new int[g * rowsPerImage];
            for (int r = 0; r < imageOf.Length; r++)
            {
                int j = r / rowsPerImage, t = r % rowsPerImage / samples, s = r % samples;
                imageOf[r] = j * samples + s;
                targetOf[r] = explanation.Targets[(first + j) * k + t];
            }
            Reexplanation.Rows(explain, model, all, imageOf, targetOf, batch, (r, map) =>
            {
                int j = r / rowsPerImage, t = r % rowsPerImage / samples, s = r % samples;
                scores[(first + j) * k + t][s] = score(copies[j], t, s, explanation.Map(first + j, t), map);
            }, metric, cancel);
        }
        return scores;
    }

    /// <summary>Uniform noise in [<paramref name="low"/>, <paramref name="high"/>), as <c>torch.empty(shape).uniform_(low, high)</c>.</summary>
    public static Noise Uniform(double low, double high)
        => (shape, g) => torch.empty(shape, ScalarType.Float32).uniform_(low, high, g);

    /// <summary>Gaussian noise N(<paramref name="mean"/>, <paramref name="std"/>²).</summary>
    public static Noise Gaussian(double mean, double std)
        => (shape, g) => torch.empty(shape, ScalarType.Float32).normal_(mean, std, g);

    /// <summary>‖a‖₂ (Frobenius norm of the flattened map).</summary>
    public static double Norm(ReadOnlySpan<float> a)
    {
        double s = 0;
        foreach (float v in a) s += (double)v * v;
        return Math.Sqrt(s);
    }

    /// <summary>‖a − b‖₂.</summary>
    public static double Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double e = (double)a[i] - b[i];
            s += e * e;
        }
        return Math.Sqrt(s);
    }

    /// <summary>Largest value, NaN when any is NaN (as <c>np.max</c>).</summary>
    public static double Max(double[] values) => values.Any(double.IsNaN) ? double.NaN : values.Max();
}

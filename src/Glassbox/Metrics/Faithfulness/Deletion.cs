using Glassbox.Attribution;
using Glassbox.Metrics.Common;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Faithfulness;

/// <summary>Settings for <see cref="Deletion"/> (Quantus has no deletion metric; its closest, <c>PixelFlipping</c>, removes one feature per step).</summary>
/// <param name="Steps">Points on the curve after the unperturbed one (pixels removed in equal shares).</param>
/// <param name="BaselineValue">Pixel value that "removes" a pixel (0 = black background for MNIST-like data); used when <paramref name="Baseline"/> is null.</param>
/// <param name="RandomSeed">Seed of the random-order reference curve.</param>
/// <param name="BatchSize">Perturbed images per forward pass.</param>
/// <param name="Baseline">What removed pixels become (each pixel takes the baseline image's value there); null = the constant <paramref name="BaselineValue"/>.</param>
/// <param name="CompareRandom">Also compute the random-order curve of every map (Petsiuk et al.'s reference).</param>
public sealed record DeletionOptions(int Steps = 20, float BaselineValue = 0f, int RandomSeed = 0, int BatchSize = 512,
    Baseline? Baseline = null, bool CompareRandom = true)
{
    /// <summary>The baseline removed pixels take.</summary>
    public Baseline Removal => Baseline ?? Baseline.Constant(BaselineValue);
}

/// <summary>
/// The deletion metric (Petsiuk et al. 2018, "RISE"; pixel flipping, Bach et al. 2015): remove the most important
/// pixels first and watch the explained output (logit or probability, as the explanation's <see cref="Explanation.Output"/>)
/// of the explained class fall; a faithful explanation makes it fall faster than random order. Each map [n·K+k] scores
/// the area under its curve over the removed fraction 0..1 (lower = more faithful); the detail is <see cref="DeletionCurves"/>.
/// </summary>
public sealed class Deletion(DeletionOptions? options = null) : IExplanationMetric
{
    /// <summary>The settings.</summary>
    public DeletionOptions Options { get; } = options ?? new DeletionOptions();

    /// <inheritdoc/>
    public string Name => "deletion";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Faithfulness;
    /// <inheritdoc/>
    public bool HigherIsBetter => false;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.Forward;

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, CancellationToken cancel = default)
    {
        CheckOptions(Options);
        MetricInputs.CheckExplained(model, inputs, explanation, Name);
        int n = explanation.Count, k = explanation.TargetsPerInput, d = explanation.MapSize;
        var fractions = Enumerable.Range(0, Options.Steps + 1).Select(s => (double)s / Options.Steps).ToArray();
        float[] pixels, removal;
        using (var cpu = inputs.detach().to_type(ScalarType.Float32).cpu().contiguous())
        using (var baseline = Options.Removal.PerInput(inputs))
        using (var baselineCpu = baseline.detach().to_type(ScalarType.Float32).cpu().contiguous())
        {
            pixels = cpu.data<float>().ToArray();
            removal = baselineCpu.data<float>().ToArray();
        }
        var rng = new Random(Options.RandomSeed);
        var attrCurves = new double[n * k][];
        var randCurves = Options.CompareRandom ? new double[n * k][] : null;
        for (int i = 0; i < n * k; i++)
        {
            cancel.ThrowIfCancellationRequested();
            int image = i / k;
            var attr = explanation.Map(image, i % k).ToArray();
            var byAttr = Enumerable.Range(0, d).ToArray();
            Array.Sort(byAttr, (a, b) => attr[b] != attr[a] ? attr[b].CompareTo(attr[a]) : a.CompareTo(b));
            var source = pixels.AsSpan(image * d, d);
            var fill = removal.AsSpan(image * d, d);
            attrCurves[i] = Curve(model, source, fill, byAttr, explanation.Targets[i], explanation.Output, fractions);
            if (randCurves is null) continue;
            var random = Enumerable.Range(0, d).ToArray();
            rng.Shuffle(random);
            randCurves[i] = Curve(model, source, fill, random, explanation.Targets[i], explanation.Output, fractions);
        }
        var scores = attrCurves.Select(c => Auc(fractions, c)).ToArray();
        var detail = new DeletionCurves(fractions, attrCurves, randCurves, randCurves?.Select(c => Auc(fractions, c)).ToArray());
        return new MetricResult(Name, scores, Options, detail);
    }

    /// <summary>
    /// Mean curves for <paramref name="images"/> (N×C×H×W) with per-pixel attributions N×C×H×W for <paramref name="targets"/>,
    /// in class probabilities: the <see cref="Deletion"/> metric on a one-target probability explanation, averaged.
    /// </summary>
    public static DeletionResult Evaluate(IImageModel model, float[] images, float[] attributions, int[] targets, DeletionOptions? options = null)
    {
        options = (options ?? new DeletionOptions()) with { CompareRandom = true };
        CheckOptions(options);
        var info = model.Info;
        int d = info.Channels * info.Height * info.Width, n = targets.Length;
        if (images.Length != n * d || attributions.Length != n * d)
            throw new GlassboxException($"Deletion needs {n} images and attribution maps of {d} values each.");
        var explanation = new Explanation("attributions", options, attributions, [n, 1, info.Channels, info.Height, info.Width], targets,
            OutputSpace.Probabilities, new double[n], new double[n], null, 0);
        using var x = torch.tensor(images, [n, info.Channels, info.Height, info.Width]);
        var curves = (DeletionCurves)new Deletion(options).Evaluate(model, x, explanation).Detail!;
        return DeletionResult.Of(curves);
    }

    /// <summary>Trapezoidal area under y(x).</summary>
    public static double Auc(double[] x, double[] y)
    {
        double area = 0;
        for (int i = 1; i < x.Length; i++) area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
        return area;
    }

    private static void CheckOptions(DeletionOptions options)
    {
        if (options.Steps < 1) throw new GlassboxException("Deletion needs at least one step.");
        if (options.BatchSize < 1) throw new GlassboxException("Deletion needs a batch size of at least 1.");
    }

    /// <summary>The explained output after removing the first fraction·d pixels of <paramref name="order"/>, for every fraction.</summary>
    private double[] Curve(IImageModel model, ReadOnlySpan<float> image, ReadOnlySpan<float> fill, int[] order, int target,
        OutputSpace output, double[] fractions)
    {
        int d = image.Length, points = fractions.Length;
        var batch = new float[points * d];
        var current = image.ToArray();
        int removed = 0;
        for (int s = 0; s < points; s++)
        {
            int upto = (int)Math.Round(fractions[s] * d);
            for (; removed < upto; removed++) current[order[removed]] = fill[order[removed]];
            current.CopyTo(batch, s * d);
        }
        var info = model.Info;
        var curve = new double[points];
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        for (int start = 0; start < points; start += Options.BatchSize)
        {
            int m = Math.Min(Options.BatchSize, points - start);
            var x = torch.tensor(batch.AsSpan(start * d, m * d).ToArray(), [m, info.Channels, info.Height, info.Width], device: model.Device);
            var logits = model.Forward(x);
            var values = output == OutputSpace.Probabilities ? nn.functional.softmax(logits, 1) : logits;
            var p = values.select(1, target).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
            p.CopyTo(curve, start);
        }
        return curve;
    }
}

using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Metrics.Common;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Faithfulness;

/// <summary>Settings for <see cref="Deletion"/> (Quantus has no deletion metric; its closest, <c>PixelFlipping</c>, removes one feature per step).</summary>
/// <param name="Steps">Points on the curve after the unperturbed one (features removed in equal shares).</param>
/// <param name="BaselineValue">Pixel value that "removes" a pixel (0 = black background for MNIST-like data); used when <paramref name="Baseline"/> and <paramref name="PerturbBaseline"/> are null.</param>
/// <param name="RandomSeed">Seed of the random-order reference curve.</param>
/// <param name="BatchSize">Perturbed images per forward pass.</param>
/// <param name="Baseline">What removed pixels become (each pixel takes the baseline image's value there: zeros, a constant, the blurred input, given images); null = the constant <paramref name="BaselineValue"/>.</param>
/// <param name="CompareRandom">Also compute the random-order curve of every map (Petsiuk et al.'s reference).</param>
/// <param name="Order">morf: most relevant features removed first (Petsiuk's deletion); lerf: least relevant first.</param>
/// <param name="FeatureMask">What one step removes: null = single elements (pixels), a grid of square patches, or superpixels (SLIC); features are ranked by their mean attribution.</param>
/// <param name="PerturbBaseline">Quantus' per-image fill instead of <paramref name="Baseline"/>: black (image minimum), white (maximum), mean, or a number; null = use <paramref name="Baseline"/>.</param>
public sealed record DeletionOptions(
    [property: Option("steps", Min = 1, Max = 100000, Help = "Points on the curve after the unperturbed one")] int Steps = 20,
    float BaselineValue = 0f,
    [property: Option("random-seed", Help = "Seed of the random-order reference curve")] int RandomSeed = 0,
    [property: Option("batch-size", Min = 1, Max = 1000000, Help = "Perturbed images per forward pass")] int BatchSize = 512,
    [property: Option("baselines", Default = "constant 0", Help = "What removed pixels become: zeros, constant:V, blur, blur:SIGMA or a .npy of images")] Baseline? Baseline = null,
    [property: Option("compare-random", Help = "Also compute the random-order curve of every map")] bool CompareRandom = true,
    [property: Option("order", Reference = "order", Help = "morf (most relevant first) or lerf (least relevant first)")] string Order = "morf",
    [property: Option("feature-mask", Default = "pixels", Help = "What one step removes: grid:N patches, slic:N superpixels or a .npy of feature ids; pixels when not given")] MaskSource? FeatureMask = null,
    [property: Option("perturb-baseline", Reference = "perturb_baseline", Help = "black (image minimum), white, mean or a number; overrides --baselines")] string? PerturbBaseline = null)
{
    /// <summary>The baseline removed pixels take.</summary>
    public Baseline Removal => Baseline ?? Baseline.Constant(BaselineValue);
}

/// <summary>
/// The deletion metric (Petsiuk et al. 2018, "RISE"; pixel flipping, Bach et al. 2015): remove the most important
/// pixels first and watch the explained output (logit or probability, as the explanation's <see cref="Explanation.Output"/>)
/// of the explained class fall; a faithful explanation makes it fall faster than random order. Each map [n·K+k] scores
/// the area under its curve over the removed fraction 0..1 (lower = more faithful; with the lerf order, removing the least
/// relevant first, higher is better); the detail is <see cref="DeletionCurves"/>. Steps can remove pixels, square patches
/// or superpixels, and removed pixels can become a constant, the blurred input, given images or the image mean.
/// </summary>
public sealed class Deletion : IExplanationMetric
{
    /// <summary>Deletion with <paramref name="options"/> (null = defaults); bad settings are an error here.</summary>
    public Deletion(DeletionOptions? options = null)
    {
        Options = options ?? new DeletionOptions();
        CheckOptions(Options);
    }

    /// <summary>The settings.</summary>
    public DeletionOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "deletion";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Faithfulness;
    /// <inheritdoc/>
    public bool HigherIsBetter => !PerturbationOrder.MostRelevantFirst(Options.Order, Name);
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.Forward;

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, CancellationToken cancel = default)
    {
        var o = Options;
        var curves = Curves(model, inputs, explanation, Name, new RemovalPath(o.Steps, o.Removal, o.PerturbBaseline, o.FeatureMask,
            PerturbationOrder.MostRelevantFirst(o.Order, Name), o.CompareRandom, o.RandomSeed, o.BatchSize, Insert: false), cancel);
        return new MetricResult(Name, curves.Attribution.Select(c => Auc(curves.Fractions, c)).ToArray(), Options, curves);
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
        PerturbationOrder.MostRelevantFirst(options.Order, "deletion");
        if (options.PerturbBaseline is { } fill)
        {
            PerturbationFill.Check(fill, "deletion");
            if (options.Baseline is not null) throw new GlassboxException("deletion: give either baselines or perturb-baseline, not both.");
        }
    }

    /// <summary>How <see cref="Curves"/> walks from the input to the baseline (deletion) or back (insertion).</summary>
    internal sealed record RemovalPath(int Steps, Baseline Removal, string? PerturbBaseline, MaskSource? FeatureMask, bool MostRelevantFirst,
        bool CompareRandom, int RandomSeed, int BatchSize, bool Insert);

    /// <summary>
    /// The curves of every map [n·K+k]: at point s = 0..Steps the first round(s/Steps · F) of the image's F features (in
    /// attribution order, and in one random order per map when compared) show the baseline (deletion) or the input
    /// on top of the baseline (insertion).
    /// </summary>
    internal static DeletionCurves Curves(IImageModel model, Tensor inputs, Explanation explanation, string metric, RemovalPath path, CancellationToken cancel)
    {
        MetricInputs.CheckExplained(model, inputs, explanation, metric);
        int n = explanation.Count, k = explanation.TargetsPerInput, d = explanation.MapSize;
        var fractions = Enumerable.Range(0, path.Steps + 1).Select(s => (double)s / path.Steps).ToArray();
        float[] pixels, removal;
        using (var cpu = inputs.detach().to_type(ScalarType.Float32).cpu().contiguous())
        {
            pixels = cpu.data<float>().ToArray();
            if (path.PerturbBaseline is { } spec)
            {
                removal = new float[pixels.Length];
                for (int i = 0; i < n; i++) PerturbationFill.Image(spec, pixels.AsSpan(i * d, d), metric).CopyTo(removal, i * d);
            }
            else
            {
                using var baseline = path.Removal.PerInput(inputs);
                using var baselineCpu = baseline.detach().to_type(ScalarType.Float32).cpu().contiguous();
                removal = baselineCpu.data<float>().ToArray();
            }
        }
        var rng = new Random(path.RandomSeed);
        var attrCurves = new double[n * k][];
        var randCurves = path.CompareRandom ? new double[n * k][] : null;
        for (int image = 0; image < n; image++)
        {
            int[] ids;
            int features;
            if (path.FeatureMask is null)
            {
                ids = Enumerable.Range(0, d).ToArray();
                features = d;
            }
            else
            {
                using var one = inputs.select(0, image);
                var mask = path.FeatureMask.ForInput(one);
                (ids, features) = (mask.Ids, mask.Count);
            }
            var members = PerturbationOrder.Members(ids, features);
            var replacedAt = fractions.Select(f => (int)Math.Round(f * features)).ToArray();
            ReadOnlySpan<float> source = pixels.AsSpan(image * d, d), fill = removal.AsSpan(image * d, d);
            ReadOnlySpan<float> start = path.Insert ? fill : source, end = path.Insert ? source : fill;
            for (int t = 0; t < k; t++)
            {
                int i = image * k + t;
                cancel.ThrowIfCancellationRequested();
                var scores = PerturbationOrder.FeatureScores(explanation.Map(image, t), ids, features, mean: true, absolute: false);
                var order = PerturbationOrder.Rank(scores, path.MostRelevantFirst);
                attrCurves[i] = PerturbationOrder.Curve(model, start, end, members, order, replacedAt, explanation.Targets[i], explanation.Output, path.BatchSize, cancel);
                if (randCurves is null) continue;
                var random = Enumerable.Range(0, features).ToArray();
                rng.Shuffle(random);
                randCurves[i] = PerturbationOrder.Curve(model, start, end, members, random, replacedAt, explanation.Targets[i], explanation.Output, path.BatchSize, cancel);
            }
        }
        bool higherIsBetter = path.Insert == path.MostRelevantFirst;
        return new DeletionCurves(fractions, attrCurves, randCurves, randCurves?.Select(c => Auc(fractions, c)).ToArray(), higherIsBetter);
    }
}

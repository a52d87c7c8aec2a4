using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Metrics.Common;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Faithfulness;

/// <summary>Settings for <see cref="Insertion"/> (Petsiuk et al.'s insertion starts from a blurred copy of the input).</summary>
/// <param name="Steps">Points on the curve after the baseline image (features inserted in equal shares).</param>
/// <param name="RandomSeed">Seed of the random-order reference curve.</param>
/// <param name="BatchSize">Images per forward pass.</param>
/// <param name="Baseline">The image insertion starts from (per pixel); null = the input blurred with σ = 5 pixels (RISE: σ 5).</param>
/// <param name="CompareRandom">Also compute the random-order curve of every map.</param>
/// <param name="Order">morf: most relevant features inserted first (Petsiuk's insertion); lerf: least relevant first.</param>
/// <param name="FeatureMask">What one step inserts: null = single elements (pixels), square patches or superpixels; ranked by mean attribution.</param>
/// <param name="PerturbBaseline">Quantus' per-image start value instead of <paramref name="Baseline"/>: black, white, mean or a number.</param>
public sealed record InsertionOptions(
    [property: Option("steps", Min = 1, Max = 100000, Help = "Points on the curve after the baseline image")] int Steps = 20,
    [property: Option("random-seed", Help = "Seed of the random-order reference curve")] int RandomSeed = 0,
    [property: Option("batch-size", Min = 1, Max = 1000000, Help = "Images per forward pass")] int BatchSize = 512,
    [property: Option("baselines", Default = "blur:5", Help = "The image insertion starts from: zeros, constant:V, blur, blur:SIGMA or a .npy of images")] Baseline? Baseline = null,
    [property: Option("compare-random", Help = "Also compute the random-order curve of every map")] bool CompareRandom = true,
    [property: Option("order", Reference = "order", Help = "morf (most relevant first) or lerf (least relevant first)")] string Order = "morf",
    [property: Option("feature-mask", Default = "pixels", Help = "What one step inserts: grid:N patches, slic:N superpixels or a .npy of feature ids; pixels when not given")] MaskSource? FeatureMask = null,
    [property: Option("perturb-baseline", Reference = "perturb_baseline", Help = "black (image minimum), white, mean or a number; overrides --baselines")] string? PerturbBaseline = null)
{
    /// <summary>The image insertion starts from.</summary>
    public Baseline Start => Baseline ?? Baseline.Blur(5);
}

/// <summary>
/// The insertion metric (Petsiuk et al. 2018, "RISE: Randomized Input Sampling for Explanation of Black-box Models"):
/// start from the baseline (by default the blurred input) and put the input's features back, most important first;
/// a faithful explanation makes the explained output (logit or probability, as the explanation's) rise fast. Each map
/// [n·K+k] scores the area under its curve over the inserted fraction 0..1 (higher = more faithful; with lerf, lower is
/// better). The detail is <see cref="DeletionCurves"/>.
/// </summary>
public sealed class Insertion : IExplanationMetric
{
    /// <summary>Insertion with <paramref name="options"/> (null = defaults); bad settings are an error here.</summary>
    public Insertion(InsertionOptions? options = null)
    {
        Options = options ?? new InsertionOptions();
        if (Options.Steps < 1) throw new GlassboxException("Insertion needs at least one step.");
        if (Options.BatchSize < 1) throw new GlassboxException("Insertion needs a batch size of at least 1.");
        PerturbationOrder.MostRelevantFirst(Options.Order, Name);
        if (Options.PerturbBaseline is { } fill)
        {
            PerturbationFill.Check(fill, Name);
            if (Options.Baseline is not null) throw new GlassboxException("insertion: give either baselines or perturb-baseline, not both.");
        }
    }

    /// <summary>The settings.</summary>
    public InsertionOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "insertion";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Faithfulness;
    /// <inheritdoc/>
    public bool HigherIsBetter => PerturbationOrder.MostRelevantFirst(Options.Order, Name);
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.Forward;

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, CancellationToken cancel = default)
    {
        var o = Options;
        var curves = Deletion.Curves(model, inputs, explanation, Name, new Deletion.RemovalPath(o.Steps, o.Start, o.PerturbBaseline, o.FeatureMask,
            HigherIsBetter, o.CompareRandom, o.RandomSeed, o.BatchSize, Insert: true), cancel);
        return new MetricResult(Name, curves.Attribution.Select(c => Deletion.Auc(curves.Fractions, c)).ToArray(), Options, curves);
    }
}

using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Metrics.Common;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Faithfulness;

/// <summary>Settings for <see cref="RegionPerturbation"/> (Quantus' defaults).</summary>
/// <param name="PatchSize">Side of the square regions in pixels (Quantus <c>patch_size</c>).</param>
/// <param name="RegionsEvaluation">Regions perturbed, one per step (Quantus <c>regions_evaluation</c>; at most the number of regions).</param>
/// <param name="Order">morf (most relevant region first) or lerf (least relevant first) (Quantus <c>order</c>).</param>
/// <param name="PerturbBaseline">What a perturbed region becomes (Quantus <c>perturb_baseline</c>): black (image minimum), white, mean or a number.</param>
/// <param name="Absolute">Rank by |attribution| (Quantus <c>abs</c>).</param>
/// <param name="BatchSize">Perturbed images per forward pass.</param>
public sealed record RegionPerturbationOptions(
    [property: Option("patch-size", Reference = "patch_size", Min = 1, Help = "Side of the square regions in pixels")] int PatchSize = 8,
    [property: Option("regions-evaluation", Reference = "regions_evaluation", Min = 1, Help = "Regions perturbed, one per step")] int RegionsEvaluation = 100,
    [property: Option("order", Reference = "order", Help = "morf (most relevant first) or lerf (least relevant first)")] string Order = "morf",
    [property: Option("perturb-baseline", Reference = "perturb_baseline", Help = "black (image minimum), white (maximum), mean or a number")] string PerturbBaseline = "black",
    [property: Option("abs", Reference = "abs", Help = "Rank by |attribution|")] bool Absolute = false,
    [property: Option("batch-size", Min = 1, Max = 1000000, Help = "Perturbed images per forward pass")] int BatchSize = 512);

/// <summary>
/// Region perturbation (Samek et al. 2017, "Evaluating the Visualization of What a Deep Neural Network Has Learned"),
/// on Quantus' <c>RegionPerturbation</c> regions: non-overlapping <see cref="RegionPerturbationOptions.PatchSize"/>² patches
/// on a grid centred on the image (Quantus pads H and W up to a multiple of the patch size, half on each side), ranked by
/// their summed attribution, replaced one per step by the baseline. Each map scores Samek's AOPC,
/// <c>1/(L+1) Σ_{k=0..L} (f(x) − f(x_k))</c> over L = min(regions_evaluation, regions) steps: higher = more faithful
/// for morf, lower for lerf. The detail holds the explained output f(x_0..x_L) over the perturbed share of regions.
/// </summary>
public sealed class RegionPerturbation : IExplanationMetric
{
    /// <summary>Region perturbation with <paramref name="options"/> (null = Quantus' defaults).</summary>
    public RegionPerturbation(RegionPerturbationOptions? options = null)
    {
        Options = options ?? new RegionPerturbationOptions();
        if (Options.PatchSize < 1) throw new GlassboxException("region-perturbation: patch-size must be at least 1 pixel.");
        if (Options.RegionsEvaluation < 1) throw new GlassboxException("region-perturbation: regions-evaluation must be at least 1.");
        if (Options.BatchSize < 1) throw new GlassboxException("region-perturbation needs a batch size of at least 1.");
        PerturbationOrder.MostRelevantFirst(Options.Order, Name);
        PerturbationFill.Check(Options.PerturbBaseline, Name);
    }

    /// <summary>The settings.</summary>
    public RegionPerturbationOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "region-perturbation";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Faithfulness;
    /// <inheritdoc/>
    public bool HigherIsBetter => PerturbationOrder.MostRelevantFirst(Options.Order, Name);
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.Forward;

    /// <summary>Region id of every C×H×W element: the patch grid of Quantus, offset by half the padding to a multiple of the patch size.</summary>
    public static (int[] Ids, int Count) Regions(int channels, int height, int width, int patchSize)
    {
        int top = (patchSize - height % patchSize) % patchSize / 2, left = (patchSize - width % patchSize) % patchSize / 2;
        int rows = (height + top + patchSize - 1) / patchSize, cols = (width + left + patchSize - 1) / patchSize;
        var ids = new int[channels * height * width];
        for (int c = 0; c < channels; c++)
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    ids[(c * height + y) * width + x] = (y + top) / patchSize * cols + (x + left) / patchSize;
        return (ids, rows * cols);
    }

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, CancellationToken cancel = default)
    {
        MetricInputs.CheckExplained(model, inputs, explanation, Name);
        int n = explanation.Count, k = explanation.TargetsPerInput, d = explanation.MapSize;
        var (ids, count) = Regions(explanation.Shape[2], explanation.Shape[3], explanation.Shape[4], Options.PatchSize);
        int steps = Math.Min(Options.RegionsEvaluation, count);
        var replacedAt = Enumerable.Range(0, steps + 1).ToArray();
        var fractions = replacedAt.Select(r => (double)r / count).ToArray();
        var members = PerturbationOrder.Members(ids, count);
        bool morf = PerturbationOrder.MostRelevantFirst(Options.Order, Name);
        float[] pixels;
        using (var cpu = inputs.detach().to_type(ScalarType.Float32).cpu().contiguous()) pixels = cpu.data<float>().ToArray();
        var curves = new double[n * k][];
        var scores = new double[n * k];
        for (int i = 0; i < n * k; i++)
        {
            cancel.ThrowIfCancellationRequested();
            int image = i / k;
            var source = pixels.AsSpan(image * d, d);
            var fill = PerturbationFill.Image(Options.PerturbBaseline, source, Name);
            var sums = PerturbationOrder.FeatureScores(explanation.Map(image, i % k), ids, count, mean: false, Options.Absolute);
            var order = PerturbationOrder.Rank(sums, morf);
            var curve = curves[i] = PerturbationOrder.Curve(model, source, fill, members, order, replacedAt, explanation.Targets[i], explanation.Output, Options.BatchSize, cancel);
            scores[i] = curve.Average(f => curve[0] - f);
        }
        return new MetricResult(Name, scores, Options, new DeletionCurves(fractions, curves, null, null, HigherIsBetter: !morf));
    }
}

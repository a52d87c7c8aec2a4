using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Metrics.Common;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Faithfulness;

/// <summary>Settings for <see cref="Irof"/> (Quantus' defaults).</summary>
/// <param name="FeatureMask">The segments removed one by one; null = SLIC superpixels with 100 segments and compactness 10 (Quantus <c>segmentation_method="slic"</c>, scikit-image's defaults).</param>
/// <param name="PerturbBaseline">What a removed segment becomes (Quantus <c>perturb_baseline</c>): mean (the image's mean), black (minimum), white (maximum) or a number.</param>
/// <param name="Absolute">Rank by |attribution| (Quantus <c>abs</c>).</param>
/// <param name="BatchSize">Perturbed images per forward pass.</param>
public sealed record IrofOptions(
    [property: Option("feature-mask", Reference = "segmentation_method", Default = "slic:100", Help = "Segments: slic:N[,COMPACTNESS], grid:N or a .npy of feature ids")] MaskSource? FeatureMask = null,
    [property: Option("perturb-baseline", Reference = "perturb_baseline", Help = "mean (image mean), black (minimum), white (maximum) or a number")] string PerturbBaseline = "mean",
    [property: Option("abs", Reference = "abs", Help = "Rank by |attribution|")] bool Absolute = false,
    [property: Option("batch-size", Min = 1, Max = 1000000, Help = "Perturbed images per forward pass")] int BatchSize = 512)
{
    /// <summary>The segmentation used.</summary>
    public MaskSource Segments => FeatureMask ?? new SlicMask(100, 10);
}

/// <summary>The curves behind <see cref="Irof"/>'s scores: images may have different numbers of segments.</summary>
/// <param name="Segments">Segments L of each map's image.</param>
/// <param name="Curves">Per map [n·K+k]: f(x_k)/f(x) after removing the first k = 1..L segments.</param>
public sealed record IrofCurves(int[] Segments, double[][] Curves);

/// <summary>
/// IROF, Iterative Removal Of Features (Rieger &amp; Hansen 2020, "IROF: a low resource evaluation metric for explanation
/// methods"), as Quantus' <c>IROF</c>: segment the image into superpixels, rank them by mean attribution, replace them
/// one by one (most relevant first) by the image's mean, and record the explained output relative to the unperturbed
/// one, y_k = f(x_k)/f(x), k = 1..L. Each map scores the area over that curve, <c>L − trapz(y, dx=1)</c> (higher =
/// more faithful); a map whose unperturbed output is 0 scores NaN.
/// </summary>
public sealed class Irof : IExplanationMetric
{
    /// <summary>IROF with <paramref name="options"/> (null = Quantus' defaults).</summary>
    public Irof(IrofOptions? options = null)
    {
        Options = options ?? new IrofOptions();
        if (Options.BatchSize < 1) throw new GlassboxException("irof needs a batch size of at least 1.");
        PerturbationFill.Check(Options.PerturbBaseline, Name);
    }

    /// <summary>The settings.</summary>
    public IrofOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "irof";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Faithfulness;
    /// <inheritdoc/>
    public bool HigherIsBetter => true;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.Forward;

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, CancellationToken cancel = default)
    {
        MetricInputs.CheckExplained(model, inputs, explanation, Name);
        int n = explanation.Count, k = explanation.TargetsPerInput, d = explanation.MapSize;
        float[] pixels;
        using (var cpu = inputs.detach().to_type(ScalarType.Float32).cpu().contiguous()) pixels = cpu.data<float>().ToArray();
        var curves = new double[n * k][];
        var segments = new int[n * k];
        var scores = new double[n * k];
        for (int image = 0; image < n; image++)
        {
            FeatureMask mask;
            using (var one = inputs.select(0, image)) mask = Options.Segments.ForInput(one);
            var members = PerturbationOrder.Members(mask.Ids, mask.Count);
            var replacedAt = Enumerable.Range(0, mask.Count + 1).ToArray();
            var source = pixels.AsSpan(image * d, d);
            var fill = PerturbationFill.Image(Options.PerturbBaseline, source, Name);
            for (int t = 0; t < k; t++)
            {
                int i = image * k + t;
                cancel.ThrowIfCancellationRequested();
                var means = PerturbationOrder.FeatureScores(explanation.Map(image, t), mask.Ids, mask.Count, mean: true, Options.Absolute);
                var order = PerturbationOrder.Rank(means, descending: true);
                var outputs = PerturbationOrder.Curve(model, source, fill, members, order, replacedAt, explanation.Targets[i], explanation.Output, Options.BatchSize, cancel);
                var relative = curves[i] = outputs.Skip(1).Select(y => y / outputs[0]).ToArray();
                segments[i] = mask.Count;
                scores[i] = outputs[0] == 0 ? double.NaN : mask.Count - PerturbationOrder.UnitTrapezoid(relative);
            }
        }
        return new MetricResult(Name, scores, Options, new IrofCurves(segments, curves));
    }
}

using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Metrics.Common;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Faithfulness;

/// <summary>Settings for <see cref="PixelFlipping"/> (Quantus' defaults).</summary>
/// <param name="FeaturesInStep">Elements flipped per step (Quantus <c>features_in_step</c>); must divide H·W.</param>
/// <param name="PerturbBaseline">What a flipped element becomes (Quantus <c>perturb_baseline</c>): black (the image's minimum), white (maximum), mean or a number.</param>
/// <param name="Absolute">Rank by |attribution| (Quantus <c>abs</c>).</param>
/// <param name="BatchSize">Perturbed images per forward pass.</param>
public sealed record PixelFlippingOptions(
    [property: Option("features-in-step", Reference = "features_in_step", Min = 1, Help = "Elements flipped per step; must divide H·W")] int FeaturesInStep = 1,
    [property: Option("perturb-baseline", Reference = "perturb_baseline", Help = "black (image minimum), white (maximum), mean or a number")] string PerturbBaseline = "black",
    [property: Option("abs", Reference = "abs", Help = "Rank by |attribution|")] bool Absolute = false,
    [property: Option("batch-size", Min = 1, Max = 1000000, Help = "Perturbed images per forward pass")] int BatchSize = 512);

/// <summary>
/// Pixel flipping (Bach et al. 2015, "On Pixel-Wise Explanations for Non-Linear Classifier Decisions by Layer-Wise
/// Relevance Propagation"), as Quantus' <c>PixelFlipping</c>: flip the C×H×W elements to the baseline
/// <see cref="PixelFlippingOptions.FeaturesInStep"/> at a time, in order of decreasing attribution (ties: lower index
/// first), and record the explained output after every step (not before the first). Each map scores the area under that
/// curve with unit spacing (Quantus <c>return_auc_per_sample=True</c>, <c>trapz(dx=1)</c>; lower = more faithful).
/// The curve itself (Quantus' return without AUC) is the <see cref="DeletionCurves"/> detail, over the flipped fraction.
/// </summary>
public sealed class PixelFlipping : IExplanationMetric
{
    /// <summary>Pixel flipping with <paramref name="options"/> (null = Quantus' defaults).</summary>
    public PixelFlipping(PixelFlippingOptions? options = null)
    {
        Options = options ?? new PixelFlippingOptions();
        if (Options.FeaturesInStep < 1) throw new GlassboxException("pixel-flipping: features-in-step must be at least 1.");
        if (Options.BatchSize < 1) throw new GlassboxException("pixel-flipping needs a batch size of at least 1.");
        PerturbationFill.Check(Options.PerturbBaseline, Name);
    }

    /// <summary>The settings.</summary>
    public PixelFlippingOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "pixel-flipping";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Faithfulness;
    /// <inheritdoc/>
    public bool HigherIsBetter => false;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.Forward;

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, CancellationToken cancel = default)
    {
        MetricInputs.CheckExplained(model, inputs, explanation, Name);
        int n = explanation.Count, k = explanation.TargetsPerInput, d = explanation.MapSize;
        int plane = explanation.Shape[3] * explanation.Shape[4], step = Options.FeaturesInStep;
        if (plane % step != 0)
            throw new GlassboxException($"pixel-flipping: features-in-step {step} does not divide the {plane} pixels of a {explanation.Shape[3]}×{explanation.Shape[4]} image; choose a divisor.");
        int points = (d + step - 1) / step;
        var flippedAt = Enumerable.Range(1, points).Select(s => Math.Min(s * step, d)).ToArray();
        var fractions = flippedAt.Select(f => (double)f / d).ToArray();
        var ids = Enumerable.Range(0, d).ToArray();
        var members = PerturbationOrder.Members(ids, d);
        float[] pixels;
        using (var cpu = inputs.detach().to_type(ScalarType.Float32).cpu().contiguous()) pixels = cpu.data<float>().ToArray();
        var curves = new double[n * k][];
        for (int i = 0; i < n * k; i++)
        {
            cancel.ThrowIfCancellationRequested();
            int image = i / k;
            var source = pixels.AsSpan(image * d, d);
            var fill = PerturbationFill.Image(Options.PerturbBaseline, source, Name);
            var scores = PerturbationOrder.FeatureScores(explanation.Map(image, i % k), ids, d, mean: false, Options.Absolute);
            var order = PerturbationOrder.Rank(scores, descending: true);
            curves[i] = PerturbationOrder.Curve(model, source, fill, members, order, flippedAt, explanation.Targets[i], explanation.Output, Options.BatchSize, cancel);
        }
        return new MetricResult(Name, curves.Select(PerturbationOrder.UnitTrapezoid).ToArray(), Options, new DeletionCurves(fractions, curves, null, null));
    }
}

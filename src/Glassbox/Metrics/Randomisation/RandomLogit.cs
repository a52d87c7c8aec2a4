using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Metrics.Common;
using Glassbox.Metrics.Robustness;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Randomisation;

/// <summary>Settings for <see cref="RandomLogit"/> (Quantus' defaults).</summary>
/// <param name="Similarity">"ssim" (Quantus' default) or "spearman".</param>
/// <param name="Seed">Seed of the choice of the other class (Quantus <c>seed</c>, 42).</param>
/// <param name="Abs">Compare |φ| (Quantus <c>abs</c>, false).</param>
/// <param name="Normalise">Divide each map by its largest |value| first (Quantus <c>normalise=True</c>, <c>normalise_by_max</c>).</param>
/// <param name="BatchSize">Images per call of the explain function.</param>
public sealed record RandomLogitOptions(
    [property: Option("similarity", Reference = "similarity_func", Help = "ssim or spearman")] string Similarity = "ssim",
    [property: Option("seed", Reference = "seed", Help = "Seed of the choice of the other class")] int Seed = 42,
    [property: Option("abs", Reference = "abs", Help = "Compare absolute attributions")] bool Abs = false,
    [property: Option("normalise", Reference = "normalise", Help = "Divide maps by their largest absolute value")] bool Normalise = true,
    [property: Option("batch-size", Min = 1, Max = 1000000, Help = "Images per explain call")] int BatchSize = 64);

/// <summary>
/// The random logit test (Sixt, Granz and Landgraf 2020, "When Explanations Lie: Why Many Modified BP Attributions
/// Fail"), as Quantus' <c>RandomLogit</c>: each map is compared (SSIM by default) with the map of the same input explained
/// for a random other class. As Quantus re-seeds before every draw, every map with the same target gets the same other
/// class: index <c>Random(seed).Next(classes − 1)</c> among the classes without the target. Lower means the explanation
/// is class-specific. The detail is the other class of every map [n·K+k].
/// </summary>
public sealed class RandomLogit(RandomLogitOptions? options = null) : IReexplainingMetric
{
    /// <summary>The settings.</summary>
    public RandomLogitOptions Options { get; } = options ?? new RandomLogitOptions();

    /// <inheritdoc/>
    public string Name => "random-logit";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Randomisation;
    /// <inheritdoc/>
    public bool HigherIsBetter => false;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.Forward;

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, ExplainFunction explain, CancellationToken cancel = default)
    {
        var o = Options;
        string similarity = MapSimilarity.Check(o.Similarity, Name);
        MetricInputs.CheckExplained(model, inputs, explanation, Name);
        int classes = model.Info.Classes, k = explanation.TargetsPerInput, count = explanation.Count * k;
        int[] mapShape = [explanation.Shape[2], explanation.Shape[3], explanation.Shape[4]];
        var others = explanation.Targets.Select(t => OtherClass(t, classes, o.Seed)).ToArray();
        var maps = Reexplanation.Maps(explain, model, inputs, explanation, others, o.BatchSize, Name, cancel);
        var scores = new double[count];
        for (int i = 0; i < count; i++)
            scores[i] = MapSimilarity.Compute(similarity,
                Reexplanation.NormaliseByMax(explanation.Map(i / k, i % k), o.Abs, o.Normalise),
                Reexplanation.NormaliseByMax(maps[i], o.Abs, o.Normalise), mapShape);
        return new MetricResult(Name, scores, o, others);
    }

    /// <summary>The other class for <paramref name="target"/>: a seeded draw among the <paramref name="classes"/> − 1 classes that are not it.</summary>
    public static int OtherClass(int target, int classes, int seed)
    {
        int index = new Random(seed).Next(classes - 1);
        return index >= target ? index + 1 : index;
    }
}

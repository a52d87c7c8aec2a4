using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Metrics.Common;
using Glassbox.Metrics.Robustness;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Randomisation;

/// <summary>Settings for <see cref="ModelParameterRandomisation"/> (Quantus' <c>MPRT</c> defaults).</summary>
/// <param name="LayerOrder">"top_down": layers randomised cumulatively from the output side to the input (cascading);
/// "independent": each layer randomised alone, the others kept (Quantus <c>layer_order</c>).</param>
/// <param name="Similarity">"spearman" (Quantus' default <c>correlation_spearman</c>) or "ssim".</param>
/// <param name="Seed">Seed of the re-initialisation (Quantus <c>seed</c>, 42).</param>
/// <param name="Abs">Compare |φ| (Quantus <c>abs=True</c>).</param>
/// <param name="Normalise">Divide each map by its largest |value| first (Quantus <c>normalise=True</c>, <c>normalise_by_max</c>).</param>
/// <param name="BatchSize">Images per call of the explain function.</param>
public sealed record ModelParameterRandomisationOptions(
    [property: Option("layer-order", Reference = "layer_order", Help = "top_down (cascading from the output) or independent")] string LayerOrder = "top_down",
    [property: Option("similarity", Reference = "similarity_func", Help = "spearman or ssim")] string Similarity = "spearman",
    [property: Option("seed", Reference = "seed", Help = "Seed of the re-initialisation")] int Seed = 42,
    [property: Option("abs", Reference = "abs", Help = "Compare absolute attributions")] bool Abs = true,
    [property: Option("normalise", Reference = "normalise", Help = "Divide maps by their largest absolute value")] bool Normalise = true,
    [property: Option("batch-size", Min = 1, Max = 1000000, Help = "Images per explain call")] int BatchSize = 64);

/// <summary>
/// The model parameter randomisation test (Adebayo et al. 2018, "Sanity Checks for Saliency Maps"), as Quantus' <c>MPRT</c>:
/// the layers' parameters are re-initialised step by step (<see cref="ModelRandomisation"/>), from the output layer to
/// the first (cascading) or one at a time (independent), the inputs are explained again on each randomised model, and
/// each map is compared with the original one (Spearman's ρ of |φ| by default, or SSIM). A map's score is its similarity
/// at the last step — the fully randomised model when cascading (Quantus <c>return_last_correlation</c>); lower means
/// the explanation depends on what the model learned. Step 0 re-explains the original model (1 for a deterministic
/// method). The detail is a <see cref="RandomisationCascade"/>.
/// </summary>
public sealed class ModelParameterRandomisation(ModelParameterRandomisationOptions? options = null) : IReexplainingMetric
{
    /// <summary>The settings.</summary>
    public ModelParameterRandomisationOptions Options { get; } = options ?? new ModelParameterRandomisationOptions();

    /// <inheritdoc/>
    public string Name => "model-parameter-randomisation";
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
        bool cascading = o.LayerOrder switch
        {
            "top_down" => true,
            "independent" => false,
            _ => throw new GlassboxException($"{Name}: the layer order must be top_down or independent, not '{o.LayerOrder}'."),
        };
        string similarity = MapSimilarity.Check(o.Similarity, Name);
        MetricInputs.CheckExplained(model, inputs, explanation, Name);
        var layers = ModelRandomisation.Layers(model).Reverse().ToList();
        if (layers.Count == 0) throw new GlassboxException($"{Name}: the model has no layer with parameters to randomise.");
        int count = explanation.Count * explanation.TargetsPerInput;
        int[] mapShape = [explanation.Shape[2], explanation.Shape[3], explanation.Shape[4]];
        var original = Enumerable.Range(0, count)
            .Select(i => Reexplanation.NormaliseByMax(explanation.Map(i / explanation.TargetsPerInput, i % explanation.TargetsPerInput), o.Abs, o.Normalise))
            .ToArray();
        var steps = new List<string> { "original" };
        var scores = new List<double[]>();
        var firstMaps = new List<float[]>();
        void Step(IImageModel stepModel)
        {
            var maps = Reexplanation.Maps(explain, stepModel, inputs, explanation, null, o.BatchSize, Name, cancel)
                .Select(m => Reexplanation.NormaliseByMax(m, o.Abs, o.Normalise)).ToArray();
            scores.Add(Enumerable.Range(0, count).Select(i => MapSimilarity.Compute(similarity, original[i], maps[i], mapShape)).ToArray());
            firstMaps.Add(maps[0]);
        }
        Step(model);
        for (int i = 0; i < layers.Count; i++)
        {
            cancel.ThrowIfCancellationRequested();
            var randomised = cascading ? layers.Take(i + 1).Select(l => l.Name).ToArray() : [layers[i].Name];
            using var copy = ModelRandomisation.Randomise(model, randomised, o.Seed);
            Step(copy);
            steps.Add(layers[i].Name);
        }
        var cascade = new RandomisationCascade(steps, similarity, scores.ToArray(), firstMaps.ToArray(), mapShape, cascading);
        return new MetricResult(Name, (double[])scores[^1].Clone(), o, cascade);
    }
}

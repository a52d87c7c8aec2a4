using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Robustness;

/// <summary>Settings for <see cref="RelativeRepresentationStability"/> (Quantus' defaults, as <see cref="RelativeStabilityOptions"/>).</summary>
/// <param name="NrSamples">Perturbed copies per image (Quantus <c>nr_samples</c>, 200).</param>
/// <param name="LowerBound">Smallest uniform noise added to every pixel (0.02).</param>
/// <param name="UpperBound">Largest uniform noise (0.2).</param>
/// <param name="EpsMin">Guard against division by zero (Quantus <c>eps_min</c>, 1e-6).</param>
/// <param name="NanWhenPredictionChanges">A copy that changes the predicted class makes the map's score NaN (Quantus default).</param>
/// <param name="LayerIndices">Layers whose outputs form the representation (Quantus <c>layer_indices</c>; negative counts from
/// the end); null = every layer, the logits included, as Quantus does when none is named.</param>
/// <param name="Seed">Seed of the noise generator.</param>
/// <param name="BatchSize">Perturbed images per call of the explain function and per forward pass.</param>
public sealed record RelativeRepresentationStabilityOptions(
    [property: Option("nr-samples", Reference = "nr_samples", Min = 1, Max = 100000, Help = "Perturbed copies per image")] int NrSamples = 200,
    [property: Option("lower-bound", Reference = "lower_bound", Min = -1e6, Max = 1e6, Help = "Smallest uniform input noise")] double LowerBound = 0.02,
    [property: Option("upper-bound", Reference = "upper_bound", Min = -1e6, Max = 1e6, Help = "Largest uniform input noise")] double UpperBound = 0.2,
    [property: Option("eps-min", Reference = "eps_min", Min = 0, Max = 1, Help = "Guard against division by zero")] double EpsMin = 1e-6,
    [property: Option("nan-when-prediction-changes", Reference = "return_nan_when_prediction_changes", Help = "NaN when a copy changes the predicted class")] bool NanWhenPredictionChanges = true,
    [property: Option("layer-indices", Reference = "layer_indices", Default = "every layer", Help = "Layers whose outputs form the representation, e.g. 0,2,-1")] int[]? LayerIndices = null,
    [property: Option("seed", Help = "Seed of the noise")] int Seed = 0,
    [property: Option("batch-size", Min = 1, Max = 1000000, Help = "Perturbed images per explain call")] int BatchSize = 64)
{
    /// <summary>The settings the relative-stability loop shares with the input and output variants.</summary>
    public RelativeStabilityOptions Stability => new(NrSamples, LowerBound, UpperBound, EpsMin, NanWhenPredictionChanges, Seed, BatchSize);
}

/// <summary>
/// Relative representation stability (Agarwal et al. 2022, "Rethinking Stability for Attribution-based Explanations"),
/// as Quantus' <c>RelativeRepresentationStability</c>: the largest ‖(φ(x) − φ(x′)) / φ(x)‖₂ / max(‖(L(x) − L(x′)) / L(x)‖₂, ε)
/// over copies x′ = x + U(0.02, 0.2) that keep the predicted class, L the concatenated outputs of the model's layers
/// (all of them by default). Needs a model with a layer list (built-in, Sequential spec, chain-shaped ONNX graph).
/// </summary>
public sealed class RelativeRepresentationStability(RelativeRepresentationStabilityOptions? options = null) : IReexplainingMetric
{
    /// <summary>The settings.</summary>
    public RelativeRepresentationStabilityOptions Options { get; } = options ?? new RelativeRepresentationStabilityOptions();

    /// <inheritdoc/>
    public string Name => "relative-representation-stability";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Robustness;
    /// <inheritdoc/>
    public bool HigherIsBetter => false;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.Forward;

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, ExplainFunction explain, CancellationToken cancel = default)
    {
        var layers = model.Layers ?? throw new GlassboxException(
            $"{Name} compares the outputs of the model's layers, but this {model.Kind} model has no visible layer list. " +
            "Load it as a built-in model, a Sequential spec or a chain-shaped ONNX graph, or use relative-input-stability or relative-output-stability.");
        var chosen = Chosen(layers.Count, Options.LayerIndices, Name);
        return RelativeStability.Evaluate(Name, RelativeStability.Reference.Representation, Options.Stability, model, inputs, explanation, explain,
            cancel, images => Representation(model, layers, chosen, images, Options.BatchSize), Options);
    }

    /// <summary>The layer positions of <paramref name="indices"/> (negative from the end), or all.</summary>
    public static bool[] Chosen(int count, int[]? indices, string metric)
    {
        var chosen = new bool[count];
        if (indices is null || indices.Length == 0)
        {
            Array.Fill(chosen, true);
            return chosen;
        }
        foreach (int i in indices)
        {
            int p = i < 0 ? count + i : i;
            if (p < 0 || p >= count) throw new GlassboxException($"{metric}: the model has layers 0..{count - 1}, so layer index {i} does not exist.");
            chosen[p] = true;
        }
        return chosen;
    }

    /// <summary>The flattened outputs of the chosen layers, concatenated in layer order, for every image.</summary>
    public static float[][] Representation(IImageModel model, IReadOnlyList<nn.Module<Tensor, Tensor>> layers, bool[] chosen, Tensor images, int batch)
    {
        long n = images.shape[0];
        var result = new float[n][];
        using var noGrad = torch.no_grad();
        for (long start = 0; start < n; start += batch)
        {
            using var scope = torch.NewDisposeScope();
            long m = Math.Min(batch, n - start);
            var h = model.Preprocess(images.narrow(0, start, m).to(model.Device));
            var parts = new List<Tensor>();
            for (int i = 0; i < layers.Count; i++)
            {
                h = layers[i].forward(h);
                if (chosen[i]) parts.Add(h.reshape(m, -1));
            }
            var flat = torch.cat(parts, 1).to_type(ScalarType.Float32).cpu().contiguous();
            int d = (int)flat.shape[1];
            var values = flat.data<float>().ToArray();
            for (int i = 0; i < m; i++) result[start + i] = values.AsSpan(i * d, d).ToArray();
        }
        return result;
    }
}

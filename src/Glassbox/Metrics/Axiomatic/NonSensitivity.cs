using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Metrics.Common;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Axiomatic;

/// <summary>Settings for <see cref="NonSensitivity"/> (Quantus' defaults).</summary>
/// <param name="Eps">Threshold for both "no attribution" (normalised |φ| below it) and "no effect" (|f(x) − f(x with the feature replaced)| below it) (Quantus <c>eps</c>).</param>
/// <param name="FeaturesInStep">Features replaced together in one forward pass; each group's effect is credited to all its features (Quantus <c>features_in_step</c>).</param>
/// <param name="Absolute">Use |φ| (Quantus <c>abs=True</c>).</param>
/// <param name="Normalise">Divide by max |φ| first (Quantus <c>normalise=True</c>).</param>
/// <param name="PerturbBaseline">The values a replaced feature takes (Quantus <c>perturb_baseline</c>); null = black (zeros), Quantus' default.</param>
/// <param name="Output">Model output compared: softmax probabilities (Quantus <c>softmax=True</c>) or logits.</param>
/// <param name="BatchSize">Perturbed images per forward pass.</param>
public sealed record NonSensitivityOptions(
    [property: Option("eps", Reference = "eps", Min = 0, Max = 1e300, Help = "Threshold for no attribution and for no effect")] double Eps = 1e-5,
    [property: Option("features-in-step", Reference = "features_in_step", Min = 1, Max = 100000000, Help = "Features replaced together per forward pass")] int FeaturesInStep = 1,
    [property: Option("abs", Reference = "abs", Help = "Use |attribution|")] bool Absolute = true,
    [property: Option("normalise", Reference = "normalise", Help = "Divide by the largest |attribution| first")] bool Normalise = true,
    [property: Option("perturb-baseline", Reference = "perturb_baseline", Default = "zeros (black)", Help = "zeros, constant:V, blur, blur:SIGMA or a .npy of images")] Baseline? PerturbBaseline = null,
    [property: Option("output", Reference = "softmax", Help = "probabilities (softmax, Quantus' default) or logits")] OutputSpace Output = OutputSpace.Probabilities,
    [property: Option("batch-size", Min = 1, Max = 100000, Help = "Perturbed images per forward pass")] int BatchSize = 256);

/// <summary>
/// Non-sensitivity (Nguyen and Martínez 2020, "On Quantitative Aspects of Model Interpretability"), as Quantus'
/// <c>NonSensitivity</c>: each feature (value of the C×H×W map) is replaced by the baseline, in groups of
/// features_in_step, and the model's output for the explained class is compared with f(x). A feature violates the
/// axiom when the model ignores it but the map gives it attribution ≥ eps, or the model reacts but the map gives it
/// less than eps. The score is the number of violations: 0 is best. One forward pass per group and map.
/// </summary>
public sealed class NonSensitivity(NonSensitivityOptions? options = null) : IExplanationMetric
{
    /// <summary>The settings.</summary>
    public NonSensitivityOptions Options { get; } = options ?? new NonSensitivityOptions();

    /// <inheritdoc/>
    public string Name => "non-sensitivity";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Axiomatic;
    /// <inheritdoc/>
    public bool HigherIsBetter => false;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.Forward;

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, CancellationToken cancel = default)
    {
        MetricInputs.CheckExplained(model, inputs, explanation, Name);
        if (!(Options.Eps >= 0) || !double.IsFinite(Options.Eps)) throw new GlassboxException($"non-sensitivity needs a finite eps ≥ 0, not {Options.Eps}.");
        if (Options.FeaturesInStep < 1 || Options.FeaturesInStep > explanation.MapSize)
            throw new GlassboxException($"non-sensitivity: features_in_step must be between 1 and the {explanation.MapSize} features of a map, not {Options.FeaturesInStep}.");
        if (Options.BatchSize < 1) throw new GlassboxException("non-sensitivity needs a batch size of at least 1.");
        int n = explanation.Count, k = explanation.TargetsPerInput, size = explanation.MapSize;
        using var scope = torch.NewDisposeScope();
        var x = inputs.detach().to_type(ScalarType.Float32).cpu().contiguous();
        var pixels = x.data<float>().ToArray();
        var reference = (Options.PerturbBaseline ?? Baseline.Zeros).PerInput(x).to_type(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var outputs = MetricInputs.ClassScores(model, x.repeat_interleave(k, 0), Options.Output, explanation.Targets, Options.BatchSize);
        var scores = new double[n * k];
        for (int m = 0; m < n * k; m++)
        {
            cancel.ThrowIfCancellationRequested();
            var a = Attributions(explanation.Values.AsSpan(m * size, size));
            var ignored = new bool[size];
            for (int i = 0; i < size; i++) ignored[i] = a[i] < Options.Eps;
            var effect = new double[size];
            var groups = Groups(ignored, want: true).Concat(Groups(ignored, want: false)).ToList();
            int image = m / k;
            for (int start = 0; start < groups.Count; start += Options.BatchSize)
            {
                var chunk = groups.Skip(start).Take(Options.BatchSize).ToList();
                var batch = new float[chunk.Count * size];
                for (int g = 0; g < chunk.Count; g++)
                {
                    Array.Copy(pixels, image * size, batch, g * size, size);
                    foreach (int i in chunk[g]) batch[g * size + i] = reference[image * size + i];
                }
                using var perturbed = torch.tensor(batch, [chunk.Count, x.shape[1], x.shape[2], x.shape[3]]);
                var f = MetricInputs.ClassScores(model, perturbed, Options.Output, Enumerable.Repeat(explanation.Targets[m], chunk.Count).ToArray(), Options.BatchSize);
                for (int g = 0; g < chunk.Count; g++)
                    foreach (int i in chunk[g]) effect[i] = f[g];
            }
            int violations = 0;
            for (int i = 0; i < size; i++)
            {
                bool insensitive = Math.Abs(outputs[m] - effect[i]) < Options.Eps;
                if (insensitive != ignored[i]) violations++;
            }
            scores[m] = violations;
        }
        return new MetricResult(Name, scores, Options);
    }

    private double[] Attributions(ReadOnlySpan<float> map)
    {
        var a = new double[map.Length];
        for (int i = 0; i < a.Length; i++) a[i] = Options.Absolute ? Math.Abs(map[i]) : map[i];
        if (Options.Normalise)
        {
            double max = a.Max(Math.Abs);
            if (max > 0) for (int i = 0; i < a.Length; i++) a[i] /= max;
        }
        return a;
    }

    /// <summary>The indices where <paramref name="mask"/> equals <paramref name="want"/>, in order, in groups of features_in_step.</summary>
    private IEnumerable<int[]> Groups(bool[] mask, bool want)
        => Enumerable.Range(0, mask.Length).Where(i => mask[i] == want).Chunk(Options.FeaturesInStep);
}

using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Perturbation;

/// <summary>Settings for <see cref="FeatureAblation"/> (Captum's names and defaults).</summary>
/// <param name="FeatureMask">Captum <c>feature_mask</c>: which elements are ablated together; null = every element alone (Captum's default).</param>
/// <param name="Baselines">Captum <c>baselines</c>: the value an ablated feature takes; null = zeros.</param>
/// <param name="PerturbationsPerEval">Captum <c>perturbations_per_eval</c>: features ablated per input in one forward pass
/// (Captum's default is 1; 32 here because it is much faster and never changes the result).</param>
/// <param name="Output">Explain logits (default) or softmax probabilities.</param>
public sealed record FeatureAblationOptions(
    [property: Option("feature-mask", Reference = "feature_mask", Default = "every element alone", Help = "grid:N, slic:N[,COMPACTNESS] or a .npy of integer feature ids")] MaskSource? FeatureMask = null,
    [property: Option("baselines", Reference = "baselines", Default = "zeros", Help = "zeros, constant:V, blur, blur:SIGMA or a .npy of images")] Baseline? Baselines = null,
    [property: Option("perturbations-per-eval", Reference = "perturbations_per_eval", Min = 1, Max = 100000, Help = "Perturbed copies of each input per forward pass (never changes the result)")] int PerturbationsPerEval = 32,
    [property: Option("output", Help = "logits or probabilities (softmax)")] OutputSpace Output = OutputSpace.Logits);

/// <summary>
/// Feature ablation, as Captum's <c>FeatureAblation</c>: each feature of the mask is replaced by the baseline in turn,
/// and every element of the feature gets the feature's full <c>f(x) − f(x with the feature ablated)</c> (Captum repeats
/// the value, so the map does not sum to f(x) − f(baseline)). Forward passes only.
/// </summary>
public sealed class FeatureAblation : IAttributionMethod
{
    private readonly IImageModel _model;

    /// <summary>Prepares feature ablation for <paramref name="model"/>.</summary>
    public FeatureAblation(IImageModel model, FeatureAblationOptions? options = null)
    {
        _model = model;
        Options = options ?? new FeatureAblationOptions();
        if (Options.PerturbationsPerEval < 1)
            throw new GlassboxException($"perturbations_per_eval must be at least 1, not {Options.PerturbationsPerEval}.");
    }

    /// <summary>The settings in use.</summary>
    public FeatureAblationOptions Options { get; }

    /// <inheritdoc />
    public string Name => "feature-ablation";

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        using var scope = torch.NewDisposeScope();
        var call = PerturbationCall.Start(_model, Name, Options with { }, inputs, targets, Options.Output, Options.PerturbationsPerEval);
        int n = call.N, k = call.K, c = call.C, h = call.H, w = call.W, d = call.D;
        var runner = call.Runner;
        var (masks, members) = call.Features(Options.FeatureMask ?? MaskSource.PerElement);
        var b = call.PerInputBaselines(Options.Baselines ?? Baseline.Zeros);
        var f0 = call.F0;
        var fb = runner.Outputs(b);
        var xFlat = call.XFlat;
        var bFlat = b.reshape(n, d);

        // Feature-major rows across inputs, so that one forward holds perturbations of every input.
        var rows = new List<(int Input, int Feature)>();
        int maxFeatures = masks.Max(m => m.Count);
        for (int j = 0; j < maxFeatures; j++)
            for (int i = 0; i < n; i++)
                if (j < masks[i].Count) rows.Add((i, j));

        var values = new float[(long)n * k * d];
        runner.Run(rows.Count, runner.ImagesPerForward(n), (start, count) =>
        {
            var keep = new float[(long)count * d];
            Array.Fill(keep, 1f);
            var xi = new long[count];
            for (int r = 0; r < count; r++)
            {
                var (i, j) = rows[(int)start + r];
                xi[r] = i;
                foreach (int e in members[i][j]) keep[(long)r * d + e] = 0f;
            }
            return PerturbationRunner.Compose(xFlat, bFlat, xi, xi, keep, [c, h, w]);
        }, (start, count, outputs) =>
        {
            for (int r = 0; r < count; r++)
            {
                var (i, j) = rows[(int)start + r];
                for (int slot = 0; slot < k; slot++)
                {
                    int cls = call.Target(i, slot);
                    float delta = (float)(f0[i * runner.Classes + cls] - runner.At(outputs, r, cls));
                    long offset = ((long)i * k + slot) * d;
                    foreach (int e in members[i][j]) values[offset + e] = delta;
                }
            }
        }, progress, cancel);

        return call.Finish(values, fb, completeness: false);
    }
}

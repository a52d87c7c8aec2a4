using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Attribution.Surrogates;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Perturbation;

/// <summary>Settings for <see cref="Lime"/> (Captum's defaults).</summary>
/// <param name="FeatureMask">Interpretable features; default a grid of ⌈max(H,W)/8⌉-pixel patches (Captum's default, one feature per element, gives a surrogate with more features than samples).</param>
/// <param name="NSamples">Perturbed samples (Captum: 25, the default in the signature of <c>Lime.attribute</c>; its docstring says 50).</param>
/// <param name="Baselines">Value of features that are off (default zeros).</param>
/// <param name="Alpha">Lasso α (Captum's SkLearnLasso(alpha=0.01)).</param>
/// <param name="KernelWidth">Width of the exponential kernel on cosine distance (Captum: 1.0).</param>
/// <param name="PerturbationsPerEval">Perturbed images per forward pass (per input; inputs are batched together).</param>
/// <param name="Seed">Seeds the binary samples.</param>
/// <param name="Output">Explain logits (default) or probabilities.</param>
public sealed record LimeOptions(
    [property: Option("feature-mask", Reference = "feature_mask", Default = "grid of about 8×8 patches", Help = "grid:N, slic:N[,COMPACTNESS] or a .npy of integer feature ids")] MaskSource? FeatureMask = null,
    [property: Option("n-samples", Reference = "n_samples", Min = 1, Max = 10000000, Help = "Perturbed samples per input")] int NSamples = 25,
    [property: Option("baselines", Reference = "baselines", Default = "zeros", Help = "zeros, constant:V, blur, blur:SIGMA or a .npy of images")] Baseline? Baselines = null,
    [property: Option("alpha", Reference = "alpha", Min = 0, Help = "Lasso α of the surrogate")] double Alpha = 0.01,
    [property: Option("kernel-width", Reference = "kernel_width", Min = 1e-12, Help = "Width of the exponential kernel on cosine distance")] double KernelWidth = 1.0,
    [property: Option("perturbations-per-eval", Reference = "perturbations_per_eval", Min = 1, Max = 100000, Help = "Perturbed copies of each input per forward pass (never changes the result)")] int PerturbationsPerEval = 32,
    [property: Option("seed", Help = "Seed of the random draws")] int Seed = 0,
    [property: Option("output", Help = "logits or probabilities (softmax)")] OutputSpace Output = OutputSpace.Logits);

/// <summary>
/// LIME (Ribeiro, Singh and Guestrin 2016, "Why Should I Trust You?"), as Captum's <c>Lime</c> with its defaults:
/// binary samples z ~ Bernoulli(0.5) over the features, off features set to the baseline, similarity
/// <c>exp(−d² / (2·width²))</c> with d the cosine distance between the input and the perturbed input, and a weighted
/// Lasso surrogate (α = 0.01, with intercept) fitted to the target's outputs; each element carries its feature's
/// coefficient. No completeness promise.
/// </summary>
public sealed class Lime : IAttributionMethod
{
    private readonly IImageModel _model;

    /// <summary>Prepares LIME for <paramref name="model"/> (forward passes only).</summary>
    public Lime(IImageModel model, LimeOptions? options = null)
    {
        _model = model;
        Options = options ?? new LimeOptions();
        if (Options.NSamples < 2) throw new GlassboxException($"n_samples must be at least 2, not {Options.NSamples}.");
        if (Options.PerturbationsPerEval < 1) throw new GlassboxException($"perturbations_per_eval must be at least 1, not {Options.PerturbationsPerEval}.");
        if (!(Options.KernelWidth > 0)) throw new GlassboxException($"The kernel width must be positive, not {Options.KernelWidth}.");
        if (!(Options.Alpha >= 0)) throw new GlassboxException($"The Lasso alpha must be non-negative, not {Options.Alpha}.");
    }

    /// <summary>The settings in use.</summary>
    public LimeOptions Options { get; }

    /// <inheritdoc />
    public string Name => "lime";

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
        => Run(inputs, targets, null, progress, cancel);

    /// <summary>
    /// Replays given binary samples instead of drawing them: <paramref name="samples"/>[i] holds input i's samples,
    /// sample-major (S × M flags, true = the feature keeps the input's value).
    /// </summary>
    internal Explanation Attribute(Tensor inputs, TargetSelection targets, bool[][] samples)
        => Run(inputs, targets, samples, null, default);

    private Explanation Run(Tensor inputs, TargetSelection targets, bool[][]? given, IProgress<(int Done, int Total)>? progress, CancellationToken cancel)
    {
        using var scope = torch.NewDisposeScope();
        var call = PerturbationCall.Start(_model, Name, Options with { }, inputs, targets, Options.Output, Options.PerturbationsPerEval);
        int n = call.N, k = call.K, c = call.C, h = call.H, w = call.W, d = call.D;
        var runner = call.Runner;
        var (masks, _) = call.Features(Options.FeatureMask ?? PerturbationCall.DefaultShapleyMask(_model.Info));
        if (given is not null && given.Length != n) throw new GlassboxException($"Samples were given for {given.Length} inputs, not {n}.");
        int s = given is null ? Options.NSamples : given[0].Length / Math.Max(1, masks[0].Count);
        if (s < 1) throw new GlassboxException("At least one LIME sample is needed.");
        var b = call.PerInputBaselines(Options.Baselines ?? Baseline.Zeros);
        var f0 = call.F0;
        var xFlat = call.XFlat;
        var bFlat = b.reshape(n, d);
        var xs = xFlat.to_type(ScalarType.Float64).cpu().data<double>().ToArray();
        var bs = bFlat.to_type(ScalarType.Float64).cpu().data<double>().ToArray();

        // Binary samples: each input's from a generator seeded with the seed alone (independent of the batch).
        var samples = new bool[n][];
        for (int i = 0; i < n; i++)
        {
            var rng = new Random(Options.Seed);
            int m = masks[i].Count;
            if (given is not null)
            {
                if (given[i].Length != s * m) throw new GlassboxException($"Input {i} needs {s} × {m} sample flags, not {given[i].Length}.");
                samples[i] = given[i];
                continue;
            }
            samples[i] = new bool[s * m];
            for (int j = 0; j < samples[i].Length; j++) samples[i][j] = rng.NextDouble() < 0.5;
        }
        var outputs = new double[(long)n * s * runner.Classes];
        var similarity = new double[n * s];
        long total = (long)n * s;
        runner.Run(total, runner.ImagesPerForward(n), (start, count) =>
        {
            var xIdx = new long[count];
            var keep = new float[(long)count * d];
            for (int t = 0; t < count; t++)
            {
                long row = start + t;
                int i = (int)(row / s), j = (int)(row % s);
                xIdx[t] = i;
                var ids = masks[i].Ids;
                int m = masks[i].Count;
                for (int e = 0; e < d; e++) keep[(long)t * d + e] = samples[i][j * m + ids[e]] ? 1f : 0f;
                // Cosine similarity of the input and the perturbed input, in double.
                double dot = 0, nx = 0, np = 0;
                for (int e = 0; e < d; e++)
                {
                    double xv = xs[(long)i * d + e];
                    double pv = keep[(long)t * d + e] != 0 ? xv : bs[(long)i * d + e];
                    dot += xv * pv; nx += xv * xv; np += pv * pv;
                }
                double cos = dot / Math.Max(Math.Sqrt(nx) * Math.Sqrt(np), 1e-8);
                double dist = 1 - cos;
                similarity[row] = Math.Exp(-dist * dist / (2 * Options.KernelWidth * Options.KernelWidth));
            }
            return PerturbationRunner.Compose(xFlat, bFlat, xIdx, xIdx, keep, [c, h, w]);
        }, (start, count, o) => Array.Copy(o, 0, outputs, start * runner.Classes, (long)count * runner.Classes), progress, cancel);

        var values = new float[(long)n * k * d];
        var fx = new double[n * k];
        for (int i = 0; i < n; i++)
        {
            int m = masks[i].Count;
            var design = new double[s * m];
            for (int j = 0; j < s * m; j++) design[j] = samples[i][j] ? 1 : 0;
            var weights = similarity.AsSpan(i * s, s).ToArray();
            for (int slot = 0; slot < k; slot++)
            {
                int cls = call.Target(i, slot);
                var y = Enumerable.Range(0, s).Select(j => outputs[((long)i * s + j) * runner.Classes + cls]).ToArray();
                var fit = Lasso.Fit(design, s, m, y, weights, Options.Alpha);
                var ids = masks[i].Ids;
                long offset = ((long)i * k + slot) * d;
                for (int e = 0; e < d; e++) values[offset + e] = (float)fit.Coefficients[ids[e]];
                fx[i * k + slot] = f0[i * runner.Classes + cls];
            }
        }
        call.Builder.SetAll(values);
        return call.Builder.Build(Options.Output, fx, null, completeness: false);
    }
}

using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Attribution.Perturbation;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Shapley;

/// <summary>Settings for <see cref="ShapleyValueSampling"/> (Captum's names and defaults).</summary>
/// <param name="FeatureMask">Captum <c>feature_mask</c>; null = a grid of about 8×8 patches (4×4 pixels on 28×28), since
/// per-pixel Shapley values on hundreds of features need very many samples.</param>
/// <param name="NSamples">Captum <c>n_samples</c>: random feature permutations (default 25).</param>
/// <param name="Baselines">Captum <c>baselines</c>; null = zeros.</param>
/// <param name="PerturbationsPerEval">Captum <c>perturbations_per_eval</c>: permutation steps per input in one forward pass
/// (Captum's default is 1; 32 here because it is much faster and never changes the result).</param>
/// <param name="Seed">Seed of the permutations.</param>
/// <param name="Spread">Split (default) each feature's value over its elements, or Repeat it on each as Captum does.</param>
/// <param name="Output">Explain logits (default) or softmax probabilities.</param>
/// <param name="AdditivityTolerance">Relative tolerance of the completeness check |f(x) − f(b) − Σφ| ≤ tol · max(1, |f(x)|).</param>
public sealed record ShapleyValueSamplingOptions(
    [property: Option("feature-mask", Reference = "feature_mask", Default = "grid of about 8×8 patches", Help = "grid:N, slic:N[,COMPACTNESS] or a .npy of integer feature ids")] MaskSource? FeatureMask = null,
    [property: Option("n-samples", Reference = "n_samples", Min = 1, Max = 1000000, Help = "Random feature permutations")] int NSamples = 25,
    [property: Option("baselines", Reference = "baselines", Default = "zeros", Help = "zeros, constant:V, blur, blur:SIGMA or a .npy of images")] Baseline? Baselines = null,
    [property: Option("perturbations-per-eval", Reference = "perturbations_per_eval", Min = 1, Max = 100000, Help = "Perturbed copies of each input per forward pass (never changes the result)")] int PerturbationsPerEval = 32,
    [property: Option("seed", Help = "Seed of the random draws")] int Seed = 0,
    [property: Option("spread", Help = "split: a feature's value is divided over its pixels (the map sums to f(x) − f(b)); repeat: every pixel gets the full value, as Captum")] FeatureSpread Spread = FeatureSpread.Split,
    [property: Option("output", Help = "logits or probabilities (softmax)")] OutputSpace Output = OutputSpace.Logits,
    double AdditivityTolerance = 1e-4);

/// <summary>
/// Shapley value sampling (Castro, Gómez and Tejada 2009, "Polynomial calculation of the Shapley value based on
/// sampling"), as Captum's <c>ShapleyValueSampling</c>: for each of <c>n_samples</c> random permutations the features
/// are switched from the baseline to the input one at a time, and each feature's marginal change of the output is
/// averaged. Every permutation telescopes, so Σφ = f(x) − f(baseline) exactly. Forward passes only.
/// </summary>
public sealed class ShapleyValueSampling : IAttributionMethod
{
    private readonly IImageModel _model;

    /// <summary>Prepares Shapley value sampling for <paramref name="model"/>.</summary>
    public ShapleyValueSampling(IImageModel model, ShapleyValueSamplingOptions? options = null)
    {
        _model = model;
        Options = options ?? new ShapleyValueSamplingOptions();
        if (Options.NSamples < 1) throw new GlassboxException($"n_samples must be at least 1, not {Options.NSamples}.");
        if (Options.PerturbationsPerEval < 1)
            throw new GlassboxException($"perturbations_per_eval must be at least 1, not {Options.PerturbationsPerEval}.");
        if (!(Options.AdditivityTolerance > 0)) throw new GlassboxException("The additivity tolerance must be positive.");
    }

    /// <summary>The settings in use.</summary>
    public ShapleyValueSamplingOptions Options { get; }

    /// <inheritdoc />
    public string Name => "shapley-value-sampling";

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
        => Run(inputs, targets, null, progress, cancel);

    /// <summary>
    /// Replays <paramref name="permutations"/> (feature ids in the order they are switched on; the same for every input,
    /// as Captum draws them) instead of drawing <c>n_samples</c> of them.
    /// </summary>
    internal Explanation Attribute(Tensor inputs, TargetSelection targets, int[][] permutations)
        => Run(inputs, targets, permutations, null, default);

    private Explanation Run(Tensor inputs, TargetSelection targets, int[][]? given, IProgress<(int Done, int Total)>? progress, CancellationToken cancel)
    {
        using var scope = torch.NewDisposeScope();
        var call = PerturbationCall.Start(_model, Name, Options with { }, inputs, targets, Options.Output, Options.PerturbationsPerEval);
        int n = call.N, k = call.K, c = call.C, h = call.H, w = call.W, d = call.D;
        var runner = call.Runner;
        int samples = given?.Length ?? Options.NSamples;
        if (samples < 1) throw new GlassboxException("At least one permutation is needed.");
        var (masks, members) = call.Features(Options.FeatureMask ?? PerturbationCall.DefaultShapleyMask(_model.Info));
        var b = call.PerInputBaselines(Options.Baselines ?? Baseline.Zeros);
        var f0 = call.F0;
        var fb = runner.Outputs(b);
        var xFlat = call.XFlat;
        var bFlat = b.reshape(n, d);

        // Each input draws its permutations from a generator seeded with the seed alone, so an image gets the same
        // permutations whatever else is in the batch. The last step of a permutation is x itself: f(x) is reused.
        var perms = new int[n][][];
        var rowStart = new long[n + 1];
        for (int i = 0; i < n; i++)
        {
            var rng = new Random(Options.Seed);
            int p = masks[i].Count;
            perms[i] = new int[samples][];
            for (int s = 0; s < samples; s++)
            {
                var perm = given?[s] ?? Enumerable.Range(0, p).ToArray();
                if (given is null) rng.Shuffle(perm);
                else if (perm.Length != p || perm.Order().Where((v, j) => v != j).Any())
                    throw new GlassboxException($"Permutation {s} is not an ordering of the {p} features 0..{p - 1}.");
                perms[i][s] = perm;
            }
            rowStart[i + 1] = rowStart[i] + (long)samples * (p - 1);
        }
        long total = rowStart[n];
        // Rows arrive in order (input, permutation, step), so marginal contributions are accumulated on the fly.
        var phi = new double[n][];
        var previous = new double[n * k];
        for (int i = 0; i < n; i++)
        {
            phi[i] = new double[k * masks[i].Count];
            int p = masks[i].Count;
            if (p == 1)
                for (int slot = 0; slot < k; slot++)
                {
                    int cls = call.Target(i, slot);
                    phi[i][slot] = samples * (f0[i * runner.Classes + cls] - fb[i * runner.Classes + cls]);
                }
        }
        runner.Run(total, runner.ImagesPerForward(n), (start, count) =>
        {
            var keep = new float[(long)count * d];
            var xi = new long[count];
            for (int r = 0; r < count; r++)
            {
                var (i, s, t) = Locate(rowStart, masks, samples, start + r);
                xi[r] = i;
                var perm = perms[i][s];
                for (int q = 0; q <= t; q++)
                    foreach (int e in members[i][perm[q]]) keep[(long)r * d + e] = 1f;
            }
            return PerturbationRunner.Compose(xFlat, bFlat, xi, xi, keep, [c, h, w]);
        }, (start, count, outputs) =>
        {
            for (int r = 0; r < count; r++)
            {
                var (i, s, t) = Locate(rowStart, masks, samples, start + r);
                int p = masks[i].Count;
                var perm = perms[i][s];
                for (int slot = 0; slot < k; slot++)
                {
                    int cls = call.Target(i, slot);
                    double before = t == 0 ? fb[i * runner.Classes + cls] : previous[i * k + slot];
                    double current = runner.At(outputs, r, cls);
                    phi[i][slot * p + perm[t]] += current - before;
                    previous[i * k + slot] = current;
                    if (t == p - 2) phi[i][slot * p + perm[p - 1]] += f0[i * runner.Classes + cls] - current;
                }
            }
        }, progress, cancel);

        var values = new float[(long)n * k * d];
        for (int i = 0; i < n; i++)
        {
            int p = masks[i].Count;
            for (int slot = 0; slot < k; slot++)
            {
                var featureValues = new double[p];
                for (int j = 0; j < p; j++) featureValues[j] = phi[i][slot * p + j] / samples;
                Spread(featureValues, members[i], Options.Spread, values.AsSpan().Slice((int)(((long)i * k + slot) * d), d));
            }
        }
        return call.Finish(values, fb, completeness: Options.Spread == FeatureSpread.Split, Options.AdditivityTolerance);
    }

    /// <summary>Writes feature values <paramref name="phi"/> onto the elements of each feature (split evenly or repeated).</summary>
    internal static void Spread(double[] phi, int[][] members, FeatureSpread spread, Span<float> map)
    {
        for (int j = 0; j < phi.Length; j++)
        {
            double v = spread == FeatureSpread.Split ? phi[j] / members[j].Length : phi[j];
            foreach (int e in members[j]) map[e] = (float)v;
        }
    }

    private static (int Input, int Sample, int Step) Locate(long[] rowStart, FeatureMask[] masks, int samples, long row)
    {
        int lo = 0, hi = masks.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (rowStart[mid] <= row) lo = mid; else hi = mid - 1;
        }
        while (rowStart[lo + 1] <= row) lo++; // skip inputs without rows (a single feature)
        int steps = masks[lo].Count - 1;
        long local = row - rowStart[lo];
        return (lo, (int)(local / steps), (int)(local % steps));
    }
}

using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Attribution.Perturbation;
using Glassbox.Attribution.Surrogates;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Shapley;

/// <summary>Settings for <see cref="KernelShap"/> (SHAP's KernelExplainer names and defaults where they exist).</summary>
/// <param name="FeatureMask">Captum <c>feature_mask</c>; null = a grid of about 8×8 patches (4×4 pixels on 28×28).</param>
/// <param name="NSamples">SHAP <c>nsamples</c>: coalitions evaluated per input; null = SHAP's "auto", 2·M + 2048 for M varying features.
/// When 2^M − 2 coalitions fit, all are enumerated and the result is the exact Shapley value.</param>
/// <param name="Baselines">The masked-out values: null = zeros; several images are SHAP's background data (a coalition's
/// value is the mean of f over them, the base value is E[f(background)]); a blur baseline gives one reference per input.</param>
/// <param name="PerturbationsPerEval">Coalitions per input in one forward pass (each costs one image per background image);
/// Captum's default is 1, 32 here because it is much faster and never changes the result.</param>
/// <param name="Seed">Seed of the coalition sampling.</param>
/// <param name="Spread">Split (default) each feature's value over its elements, or Repeat it on each as Captum does.</param>
/// <param name="Output">Explain logits (default) or softmax probabilities (SHAP's identity link in both cases).</param>
/// <param name="AdditivityTolerance">Relative tolerance of the completeness check |f(x) − E[f(b)] − Σφ| ≤ tol · max(1, |f(x)|).</param>
/// <param name="L1Reg">SHAP <c>l1_reg</c>: which features get a value before the regression; null = <c>"auto"</c> (AIC when
/// fewer than 20 % of the coalitions are evaluated, else every feature; every feature too when 2·n_samples ≤ M + 1 leaves
/// AIC no noise estimate, where SHAP fails). The other rules apply even when all coalitions are enumerated, as in SHAP.
/// SHAP 0.47+ defaults to <c>num_features(10)</c>.</param>
public sealed record KernelShapOptions(
    [property: Option("feature-mask", Reference = "feature_mask", Default = "grid of about 8×8 patches", Help = "grid:N, slic:N[,COMPACTNESS] or a .npy of integer feature ids")] MaskSource? FeatureMask = null,
    [property: Option("n-samples", Reference = "nsamples", Min = 2, Max = 100000000, Default = "2·features + 2048", Help = "Coalitions evaluated per input")] int? NSamples = null,
    [property: Option("baselines", Reference = "baselines", Default = "zeros", Help = "zeros, constant:V, blur, blur:SIGMA or a .npy of images")] Baseline? Baselines = null,
    [property: Option("perturbations-per-eval", Reference = "perturbations_per_eval", Min = 1, Max = 100000, Help = "Perturbed copies of each input per forward pass (never changes the result)")] int PerturbationsPerEval = 32,
    [property: Option("seed", Help = "Seed of the random draws")] int Seed = 0,
    [property: Option("spread", Help = "split: a feature's value is divided over its pixels (the map sums to f(x) − f(b)); repeat: every pixel gets the full value, as Captum")] FeatureSpread Spread = FeatureSpread.Split,
    [property: Option("output", Help = "logits or probabilities (softmax)")] OutputSpace Output = OutputSpace.Logits,
    double AdditivityTolerance = 1e-4,
    [property: Option("l1-reg", Reference = "l1_reg", Default = "auto", Help = "Feature selection before the regression: auto, aic, bic, num_features(K), a Lasso alpha, or false")] L1Regularization? L1Reg = null);

/// <summary>The coalitions KernelSHAP evaluates for M features, their Shapley-kernel weights, and whether all 2^M − 2 were enumerated.</summary>
/// <param name="Coalitions">Each coalition as M flags (true = the feature takes the input's value).</param>
/// <param name="Weights">Regression weight of each coalition.</param>
/// <param name="Exact">True when every coalition except ∅ and the full set was enumerated (the solution is the exact Shapley value).</param>
public sealed record CoalitionSample(bool[][] Coalitions, double[] Weights, bool Exact);

/// <summary>
/// Kernel SHAP (Lundberg and Lee 2017, "A Unified Approach to Interpreting Model Predictions"), as
/// <c>shap.KernelExplainer</c>: coalitions of features are evaluated with the other features at the baseline (or
/// averaged over background images), and the Shapley values are the weighted least-squares fit with the Shapley
/// kernel under the efficiency constraint Σφ = f(x) − E[f(b)] (one variable eliminated, as SHAP does). Coalition
/// sizes are enumerated from the outside in while the budget allows and the rest sampled with kernel-proportional
/// sizes and paired complements. Features whose values equal the baseline's get 0 and are left out, as in SHAP.
/// SHAP's L1 feature selection (<c>l1_reg</c>, <see cref="L1Regularization"/>) may first restrict the fit to some
/// features; the others get 0. Forward passes only.
/// </summary>
public sealed class KernelShap : IAttributionMethod
{
    private readonly IImageModel _model;

    /// <summary>Prepares Kernel SHAP for <paramref name="model"/>.</summary>
    public KernelShap(IImageModel model, KernelShapOptions? options = null)
    {
        _model = model;
        Options = options ?? new KernelShapOptions();
        if (Options.NSamples is < 1) throw new GlassboxException($"n_samples must be at least 1, not {Options.NSamples}.");
        if (Options.PerturbationsPerEval < 1)
            throw new GlassboxException($"perturbations_per_eval must be at least 1, not {Options.PerturbationsPerEval}.");
        if (!(Options.AdditivityTolerance > 0)) throw new GlassboxException("The additivity tolerance must be positive.");
    }

    /// <summary>The settings in use.</summary>
    public KernelShapOptions Options { get; }

    /// <inheritdoc />
    public string Name => "kernel-shap";

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        using var scope = torch.NewDisposeScope();
        var call = PerturbationCall.Start(_model, Name, Options with { }, inputs, targets, Options.Output, Options.PerturbationsPerEval);
        int n = call.N, k = call.K, c = call.C, h = call.H, w = call.W, d = call.D;
        var runner = call.Runner;
        int classes = call.Classes;
        var x = call.X;
        var (masks, members) = call.Features(Options.FeatureMask ?? PerturbationCall.DefaultShapleyMask(_model.Info));
        var (background, perInput) = call.Background(Options.Baselines ?? Baseline.Zeros);
        int bCount = perInput ? 1 : (int)background.shape[0];
        var f0 = call.F0;
        var fBackground = runner.Outputs(background);
        var fNull = new double[n * classes];
        for (int i = 0; i < n; i++)
            for (int cls = 0; cls < classes; cls++)
            {
                if (perInput) { fNull[i * classes + cls] = fBackground[i * classes + cls]; continue; }
                double sum = 0;
                for (int r = 0; r < bCount; r++) sum += fBackground[r * classes + cls];
                fNull[i * classes + cls] = sum / bCount;
            }

        // Varying features and coalitions of each input (inputs with the same number of varying features share them).
        var varying = new int[n][];
        var samples = new CoalitionSample?[n];
        var cache = new Dictionary<int, CoalitionSample>();
        var rowStart = new long[n + 1];
        for (int i = 0; i < n; i++)
        {
            varying[i] = VaryingFeatures(x, background, perInput, i, masks[i], members[i]);
            int m = varying[i].Length;
            if (m >= 2)
            {
                if (!cache.TryGetValue(m, out var set))
                    cache[m] = set = Sample(m, Budget(m), new Random(Options.Seed));
                samples[i] = set;
            }
            rowStart[i + 1] = rowStart[i] + (samples[i]?.Coalitions.Length ?? 0) * (long)bCount;
        }

        var xFlat = call.XFlat;
        var bFlat = background.reshape(background.shape[0], d);
        var ey = new double[n][];
        for (int i = 0; i < n; i++) ey[i] = new double[(samples[i]?.Coalitions.Length ?? 0) * k];
        runner.Run(rowStart[n], runner.ImagesPerForward(n), (start, count) =>
        {
            var keep = new float[(long)count * d];
            var xi = new long[count];
            var bi = new long[count];
            for (int r = 0; r < count; r++)
            {
                var (i, s, bg) = Locate(rowStart, bCount, start + r);
                xi[r] = i;
                bi[r] = perInput ? i : bg;
                var coalition = samples[i]!.Coalitions[s];
                for (int q = 0; q < coalition.Length; q++)
                    if (coalition[q])
                        foreach (int e in members[i][varying[i][q]]) keep[(long)r * d + e] = 1f;
            }
            return PerturbationRunner.Compose(xFlat, bFlat, xi, bi, keep, [c, h, w]);
        }, (start, count, outputs) =>
        {
            for (int r = 0; r < count; r++)
            {
                var (i, s, _) = Locate(rowStart, bCount, start + r);
                for (int slot = 0; slot < k; slot++)
                    ey[i][s * k + slot] += runner.At(outputs, r, call.Target(i, slot)) / bCount;
            }
        }, progress, cancel);

        var values = new float[(long)n * k * d];
        var l1 = Options.L1Reg ?? L1Regularization.Auto;
        for (int i = 0; i < n; i++)
        {
            var fx = new double[k];
            var fb = new double[k];
            for (int slot = 0; slot < k; slot++)
            {
                int cls = call.Target(i, slot);
                fx[slot] = f0[i * classes + cls];
                fb[slot] = fNull[i * classes + cls];
            }
            int mi = varying[i].Length;
            var phi = samples[i] is { } coalitions && l1.Applies(FractionEvaluated(mi))
                ? SolveSelected(mi, coalitions, ey[i], fx, fb, k, l1)
                : Solve(mi, samples[i], ey[i], fx, fb, k);
            for (int slot = 0; slot < k; slot++)
            {
                var full = new double[masks[i].Count];
                for (int q = 0; q < varying[i].Length; q++) full[varying[i][q]] = phi[q * k + slot];
                ShapleyValueSampling.Spread(full, members[i], Options.Spread, values.AsSpan().Slice((int)(((long)i * k + slot) * d), d));
            }
        }
        return call.Finish(values, fNull, completeness: Options.Spread == FeatureSpread.Split, Options.AdditivityTolerance);
    }

    /// <summary>
    /// SHAP's coalition scheme for <paramref name="features"/> features and a budget of <paramref name="nsamples"/>:
    /// sizes s and M − s are enumerated completely from the outside in while the budget covers them with their kernel
    /// weight; the remaining budget is sampled (size ∝ kernel weight, random members, each followed by its complement),
    /// repeated draws adding weight to the first copy.
    /// </summary>
    public static CoalitionSample Sample(int features, int nsamples, Random random)
    {
        int m = features;
        if (m < 2) throw new ArgumentOutOfRangeException(nameof(features), "KernelSHAP coalitions need at least two features.");
        if (nsamples < 1) throw new GlassboxException($"n_samples must be at least 1, not {nsamples}.");
        if (m <= 30) nsamples = (int)Math.Min(nsamples, (1L << m) - 2);
        int sizes = (m - 1 + 1) / 2, paired = (m - 1) / 2;
        var weightVector = new double[sizes];
        for (int s = 1; s <= sizes; s++) weightVector[s - 1] = (m - 1.0) / (s * (double)(m - s)) * (s <= paired ? 2 : 1);
        double total = weightVector.Sum();
        for (int s = 0; s < sizes; s++) weightVector[s] /= total;

        var coalitions = new List<bool[]>();
        var weights = new List<double>();
        int fullSizes = 0;
        double left = nsamples;
        var remaining = (double[])weightVector.Clone();
        for (int s = 1; s <= sizes; s++)
        {
            double subsets = Binomial(m, s) * (s <= paired ? 2 : 1);
            if (!(left * remaining[s - 1] / subsets >= 1.0 - 1e-8)) break;
            fullSizes++;
            left -= subsets;
            if (remaining[s - 1] < 1.0)
            {
                double scale = 1 - remaining[s - 1];
                for (int q = 0; q < sizes; q++) remaining[q] /= scale;
            }
            double w = weightVector[s - 1] / Binomial(m, s) / (s <= paired ? 2 : 1);
            foreach (var members in Combinations(m, s))
            {
                var mask = new bool[m];
                foreach (int j in members) mask[j] = true;
                coalitions.Add(mask);
                weights.Add(w);
                if (s <= paired)
                {
                    coalitions.Add(mask.Select(v => !v).ToArray());
                    weights.Add(w);
                }
            }
        }

        bool exact = fullSizes == sizes;
        int fixedCount = coalitions.Count;
        int samplesLeft = nsamples - fixedCount;
        if (!exact && samplesLeft > 0)
        {
            var p = new double[sizes - fullSizes];
            for (int q = 0; q < p.Length; q++) p[q] = weightVector[fullSizes + q] / (fullSizes + q < paired ? 2 : 1);
            double ps = p.Sum();
            for (int q = 0; q < p.Length; q++) p[q] /= ps;
            var used = new Dictionary<string, int>();
            var order = Enumerable.Range(0, m).ToArray();
            int draws = 4 * samplesLeft;
            for (int draw = 0; draw < draws && samplesLeft > 0; draw++)
            {
                int size = Pick(p, random) + fullSizes + 1;
                random.Shuffle(order);
                var mask = new bool[m];
                for (int q = 0; q < size; q++) mask[order[q]] = true;
                string key = Key(mask);
                bool isNew = !used.TryGetValue(key, out int at);
                if (isNew)
                {
                    used[key] = at = coalitions.Count;
                    coalitions.Add(mask);
                    weights.Add(1.0);
                    samplesLeft--;
                }
                else weights[at] += 1.0;
                if (samplesLeft > 0 && size <= paired)
                {
                    if (isNew)
                    {
                        coalitions.Add(mask.Select(v => !v).ToArray());
                        weights.Add(1.0);
                        samplesLeft--;
                    }
                    else weights[at + 1] += 1.0;
                }
            }
            double weightLeft = weightVector.Skip(fullSizes).Sum();
            double sampled = weights.Skip(fixedCount).Sum();
            for (int q = fixedCount; q < weights.Count; q++) weights[q] *= weightLeft / sampled;
        }
        return new CoalitionSample(coalitions.ToArray(), weights.ToArray(), exact);
    }

    // SHAP's nsamples for M varying features: the option or "auto" (2·M + 2048).
    private int Budget(int m) => Options.NSamples ?? 2 * m + 2048;

    // SHAP's fraction of the coalition space evaluated: nsamples / (2^M − 2), nsamples capped there (2^30 above 30 features).
    private double FractionEvaluated(int m)
    {
        double max = m <= 30 ? (1L << m) - 2 : 1 << 30;
        return Math.Min(Budget(m), m <= 30 ? max : double.PositiveInfinity) / max;
    }

    // φ (M × k) with SHAP's L1 selection per target: the selected features are solved as below, the rest get 0.
    private static double[] SolveSelected(int m, CoalitionSample set, double[] ey, double[] fx, double[] fNull, int k, L1Regularization l1)
    {
        var phi = new double[m * k];
        int rows = set.Coalitions.Length;
        for (int slot = 0; slot < k; slot++)
        {
            var eyAdj = new double[rows];
            var eySlot = new double[rows];
            for (int r = 0; r < rows; r++)
            {
                eySlot[r] = ey[r * k + slot];
                eyAdj[r] = eySlot[r] - fNull[slot];
            }
            var chosen = KernelShapSelection.Select(l1, set, eyAdj, fx[slot] - fNull[slot], m);
            if (chosen.Length == 0) continue;
            var reduced = new CoalitionSample(set.Coalitions.Select(z => chosen.Select(j => z[j]).ToArray()).ToArray(), set.Weights, set.Exact);
            var part = Solve(chosen.Length, chosen.Length >= 2 ? reduced : null, eySlot, [fx[slot]], [fNull[slot]], 1);
            for (int q = 0; q < chosen.Length; q++) phi[chosen[q] * k + slot] = part[q];
        }
        return phi;
    }

    // φ (M × k, row-major) from the coalition values: SHAP's constrained weighted regression with the last feature eliminated.
    internal static double[] Solve(int m, CoalitionSample? set, double[] ey, double[] fx, double[] fNull, int k)
    {
        var phi = new double[m * k];
        if (m == 0) return phi;
        if (m == 1 || set is null)
        {
            for (int slot = 0; slot < k; slot++) phi[slot] = fx[slot] - fNull[slot];
            return phi;
        }
        int rows = set.Coalitions.Length, cols = m - 1;
        var design = new double[rows * cols];
        var target = new double[rows * k];
        for (int s = 0; s < rows; s++)
        {
            var z = set.Coalitions[s];
            double last = z[m - 1] ? 1 : 0;
            for (int j = 0; j < cols; j++) design[s * cols + j] = (z[j] ? 1 : 0) - last;
            for (int slot = 0; slot < k; slot++)
                target[s * k + slot] = ey[s * k + slot] - fNull[slot] - last * (fx[slot] - fNull[slot]);
        }
        var beta = WeightedLeastSquares.Solve(design, rows, cols, set.Weights, target, k).Coefficients;
        for (int slot = 0; slot < k; slot++)
        {
            double sum = 0;
            for (int j = 0; j < cols; j++)
            {
                phi[j * k + slot] = beta[j * k + slot];
                sum += beta[j * k + slot];
            }
            phi[(m - 1) * k + slot] = fx[slot] - fNull[slot] - sum;
        }
        return phi;
    }

    // Features with an element that differs from the baseline (any background image), as SHAP's varying_groups (np.isclose).
    private static int[] VaryingFeatures(Tensor x, Tensor background, bool perInput, int i, FeatureMask mask, int[][] members)
    {
        using var scope = torch.NewDisposeScope();
        var xi = x[i].unsqueeze(0);
        var b = perInput ? background[i].unsqueeze(0) : background;
        var differs = ((xi - b).abs() > 1e-8 + 1e-5 * b.abs()).any(0).reshape(-1).cpu();
        var flags = differs.data<bool>().ToArray();
        var result = new List<int>();
        for (int j = 0; j < mask.Count; j++)
            if (members[j].Any(e => flags[e])) result.Add(j);
        return result.ToArray();
    }

    private static (int Input, int Sample, int Background) Locate(long[] rowStart, int bCount, long row)
    {
        int lo = 0, hi = rowStart.Length - 2;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) / 2;
            if (rowStart[mid] <= row) lo = mid; else hi = mid - 1;
        }
        long local = row - rowStart[lo];
        return (lo, (int)(local / bCount), (int)(local % bCount));
    }

    private static int Pick(double[] p, Random random)
    {
        double u = random.NextDouble(), acc = 0;
        for (int q = 0; q < p.Length; q++)
        {
            acc += p[q];
            if (u < acc) return q;
        }
        return p.Length - 1;
    }

    private static string Key(bool[] mask) => string.Create(mask.Length, mask, (span, m) =>
    {
        for (int q = 0; q < m.Length; q++) span[q] = m[q] ? '1' : '0';
    });

    private static double Binomial(int n, int k)
    {
        double r = 1;
        for (int q = 1; q <= k; q++) r = r * (n - k + q) / q;
        return r < 1e15 ? Math.Round(r) : r;
    }

    private static IEnumerable<int[]> Combinations(int n, int k)
    {
        var idx = Enumerable.Range(0, k).ToArray();
        while (true)
        {
            yield return (int[])idx.Clone();
            int q = k - 1;
            while (q >= 0 && idx[q] == n - k + q) q--;
            if (q < 0) yield break;
            idx[q]++;
            for (int j = q + 1; j < k; j++) idx[j] = idx[j - 1] + 1;
        }
    }
}

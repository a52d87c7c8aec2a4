using Glassbox.Attribution.Catalog;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Generation;

/// <summary>Settings for <see cref="KernelInceptionDistance"/> (torchmetrics / clean-fid defaults).</summary>
/// <param name="Subsets">Random subsets the MMD² is averaged over (torchmetrics <c>subsets</c> = 100).</param>
/// <param name="SubsetSize">Samples drawn, without replacement, from each set per subset (torchmetrics <c>subset_size</c> = 1000); clamped to the smaller sample count as clean-fid does.</param>
/// <param name="Degree">Degree of the polynomial kernel (x·y·γ + c)^degree (3).</param>
/// <param name="Gamma">γ of the kernel; null = 1/D.</param>
/// <param name="Coef">c of the kernel (1).</param>
/// <param name="RandomSeed">Seed of the subset draws.</param>
public sealed record KernelInceptionDistanceOptions(
    [property: Option("subsets", Reference = "subsets", Min = 1, Max = 1000000, Help = "Random subsets the MMD² is averaged over")] int Subsets = 100,
    [property: Option("subset-size", Reference = "subset_size", Min = 2, Max = 100000000, Help = "Samples per set per subset (clamped to the smaller sample count)")] int SubsetSize = 1000,
    [property: Option("degree", Reference = "degree", Min = 1, Max = 100, Help = "Degree of the polynomial kernel")] int Degree = 3,
    [property: Option("gamma", Reference = "gamma", Default = "1/D", Help = "Scale of x·y in the kernel; 1/D when not given")] double? Gamma = null,
    [property: Option("coef", Reference = "coef", Help = "Constant added in the kernel")] double Coef = 1.0,
    [property: Option("random-seed", Help = "Seed of the subset draws")] int RandomSeed = 0);

/// <summary>A kernel inception distance: mean and spread of the per-subset unbiased MMD² estimates.</summary>
/// <param name="Mean">Mean MMD² over the subsets (≈ 0, possibly slightly negative, when both sets share one distribution).</param>
/// <param name="Std">Population standard deviation over the subsets (torchmetrics' <c>std(unbiased=False)</c>).</param>
/// <param name="SubsetSize">Subset size actually used (after clamping).</param>
/// <param name="Values">Each subset's MMD².</param>
public sealed record KernelInceptionDistanceResult(double Mean, double Std, int SubsetSize, double[] Values);

/// <summary>
/// The kernel inception distance (Bińkowski et al. 2018, "Demystifying MMD GANs"): the unbiased estimate of the squared
/// maximum mean discrepancy between real and generated features under the polynomial kernel k(x, y) = (xᵀy/D + 1)³,
/// averaged over random equal-size subsets as torchmetrics' <c>KernelInceptionDistance</c> and clean-fid's
/// <c>kernel_distance</c>: MMD² = Σ_{i≠j} k(xᵢ,xⱼ)/(m(m−1)) + Σ_{i≠j} k(yᵢ,yⱼ)/(m(m−1)) − 2 Σ_{i,j} k(xᵢ,yⱼ)/m².
/// </summary>
public sealed class KernelInceptionDistance
{
    private const string Name = "Kernel inception distance";

    /// <summary>The metric with <paramref name="options"/> (null = defaults); bad settings are an error here.</summary>
    public KernelInceptionDistance(KernelInceptionDistanceOptions? options = null)
    {
        Options = options ?? new KernelInceptionDistanceOptions();
        if (Options.Subsets < 1)
            throw new GlassboxException($"{Name}: subsets must be ≥ 1, got {Options.Subsets}.");
        if (Options.SubsetSize < 2)
            throw new GlassboxException($"{Name}: subset-size must be ≥ 2 (the unbiased estimate divides by m(m−1)), got {Options.SubsetSize}.");
        if (Options.Degree < 1)
            throw new GlassboxException($"{Name}: degree must be ≥ 1, got {Options.Degree}.");
        if (Options.Gamma is { } g && (!double.IsFinite(g) || g <= 0))
            throw new GlassboxException($"{Name}: gamma must be a finite number > 0, got {g}.");
        if (!double.IsFinite(Options.Coef))
            throw new GlassboxException($"{Name}: coef must be finite, got {Options.Coef}.");
    }

    /// <summary>The settings.</summary>
    public KernelInceptionDistanceOptions Options { get; }

    /// <summary>KID between <paramref name="real"/> (N×D) and <paramref name="fake"/> (M×D) features; N, M ≥ 2.</summary>
    public KernelInceptionDistanceResult Compute(double[,] real, double[,] fake)
    {
        FeatureMatrix.Check(real, Name, "real", 2, "the unbiased MMD² estimate");
        FeatureMatrix.Check(fake, Name, "generated", 2, "the unbiased MMD² estimate");
        FeatureMatrix.CheckSameWidth(real, fake, Name);
        int n = real.GetLength(0), m = fake.GetLength(0), d = real.GetLength(1);
        int size = Math.Min(Options.SubsetSize, Math.Min(n, m));
        double gamma = Options.Gamma ?? 1.0 / d;
        var rng = new Random(Options.RandomSeed);
        var values = new double[Options.Subsets];
        using var scope = NewDisposeScope();
        var x = FeatureMatrix.ToTensor(real);
        var y = FeatureMatrix.ToTensor(fake);
        for (int s = 0; s < values.Length; s++)
        {
            using var inner = NewDisposeScope();
            var xs = x.index_select(0, tensor(Draw(rng, n, size)));
            var ys = y.index_select(0, tensor(Draw(rng, m, size)));
            values[s] = Mmd2(Kernel(xs, xs, gamma), Kernel(ys, ys, gamma), Kernel(xs, ys, gamma));
        }
        double mean = values.Average();
        double std = Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / values.Length);
        return new KernelInceptionDistanceResult(mean, std, size, values);
    }

    /// <summary>KID between 2-D feature tensors (rows = samples).</summary>
    public KernelInceptionDistanceResult Compute(Tensor real, Tensor fake) =>
        Compute(FeatureMatrix.FromTensor(real, Name, "real"), FeatureMatrix.FromTensor(fake, Name, "generated"));

    /// <summary>
    /// The unbiased MMD² from kernel matrices Kxx (m×m), Kyy (m×m) and Kxy (m×m): diagonals of Kxx and Kyy left out.
    /// </summary>
    public static double UnbiasedMmd2(double[,] kxx, double[,] kyy, double[,] kxy)
    {
        int m = kxx.GetLength(0);
        if (m < 2 || kxx.GetLength(1) != m || kyy.GetLength(0) != m || kyy.GetLength(1) != m || kxy.GetLength(0) != m || kxy.GetLength(1) != m)
            throw new GlassboxException($"{Name}: the kernel matrices must all be m×m with m ≥ 2.");
        using var scope = NewDisposeScope();
        return Mmd2(FeatureMatrix.ToTensor(kxx), FeatureMatrix.ToTensor(kyy), FeatureMatrix.ToTensor(kxy));
    }

    private Tensor Kernel(Tensor a, Tensor b, double gamma) => (a.matmul(b.t()) * gamma + Options.Coef).pow(Options.Degree);

    private static double Mmd2(Tensor kxx, Tensor kyy, Tensor kxy)
    {
        long m = kxx.shape[0];
        double xx = kxx.sum().item<double>() - kxx.diagonal().sum().item<double>();
        double yy = kyy.sum().item<double>() - kyy.diagonal().sum().item<double>();
        double xy = kxy.sum().item<double>();
        return (xx + yy) / (m * (m - 1.0)) - 2 * xy / ((double)m * m);
    }

    /// <summary><paramref name="k"/> distinct indices of 0..n−1 (partial Fisher–Yates).</summary>
    private static long[] Draw(Random rng, int n, int k)
    {
        var idx = new long[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        for (int i = 0; i < k; i++)
        {
            int j = rng.Next(i, n);
            (idx[i], idx[j]) = (idx[j], idx[i]);
        }
        return idx[..k];
    }
}

using Glassbox.Attribution.Catalog;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Generation;

/// <summary>Settings for <see cref="FrechetDistance"/> (pytorch-fid's <c>calculate_frechet_distance</c> defaults).</summary>
/// <param name="Eps">Offset eps·I added to both covariances when the square root of their product is not finite (pytorch-fid: eps = 1e-6).</param>
public sealed record FrechetDistanceOptions(
    [property: Option("eps", Reference = "eps", Min = 0, Help = "Offset eps·I added to both covariances when the product's square root is not finite")] double Eps = 1e-6);

/// <summary>One Fréchet distance and its parts.</summary>
/// <param name="Distance">‖μ₁−μ₂‖² + Tr(Σ₁+Σ₂−2(Σ₁Σ₂)^½) (0 for identical feature sets, never negative beyond rounding).</param>
/// <param name="MeanTerm">‖μ₁−μ₂‖².</param>
/// <param name="TraceTerm">Tr(Σ₁+Σ₂−2(Σ₁Σ₂)^½).</param>
/// <param name="OffsetApplied">Whether the eps·I offset was needed.</param>
/// <param name="ClampedEigenvalue">Most negative eigenvalue of √Σ₁·Σ₂·√Σ₁ set to 0 (rounding; in pytorch-fid it shows as an imaginary part of the square root); 0 when none was negative.</param>
public sealed record FrechetDistanceResult(double Distance, double MeanTerm, double TraceTerm, bool OffsetApplied, double ClampedEigenvalue);

/// <summary>
/// The Fréchet distance between Gaussians fitted to real and generated features (Dowson &amp; Landau 1982; as FID,
/// Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash Equilibrium"), computed as
/// pytorch-fid's <c>calculate_frechet_distance</c>: means and unbiased (N−1) covariances of the rows, then
/// ‖μ₁−μ₂‖² + Tr Σ₁ + Tr Σ₂ − 2 Tr (Σ₁Σ₂)^½. Tr (Σ₁Σ₂)^½ is taken as the sum of square roots of the eigenvalues of the
/// symmetric √Σ₁·Σ₂·√Σ₁ (same eigenvalues as Σ₁Σ₂), so no complex square root arises; eigenvalues at or below the rank
/// tolerance D·ε·max|λ| (negative ones included, which only rounding produces) count as 0, so singular covariances (N ≤ D)
/// add no √(rounding) noise (pytorch-fid drops the imaginary part of scipy's sqrtm instead). Inputs are N×D and M×D, any D.
/// </summary>
public sealed class FrechetDistance
{
    private const string Name = "Fréchet distance";

    /// <summary>The metric with <paramref name="options"/> (null = defaults).</summary>
    public FrechetDistance(FrechetDistanceOptions? options = null)
    {
        Options = options ?? new FrechetDistanceOptions();
        if (!double.IsFinite(Options.Eps) || Options.Eps < 0)
            throw new GlassboxException($"{Name}: eps must be a finite number ≥ 0, got {Options.Eps}.");
    }

    /// <summary>The settings.</summary>
    public FrechetDistanceOptions Options { get; }

    /// <summary>The distance between <paramref name="real"/> (N×D) and <paramref name="fake"/> (M×D) features; N, M ≥ 2.</summary>
    public FrechetDistanceResult Compute(double[,] real, double[,] fake)
    {
        FeatureMatrix.Check(real, Name, "real", 2, "an unbiased covariance");
        FeatureMatrix.Check(fake, Name, "generated", 2, "an unbiased covariance");
        FeatureMatrix.CheckSameWidth(real, fake, Name);
        using var scope = NewDisposeScope();
        var (mu1, s1) = Moments(FeatureMatrix.ToTensor(real));
        var (mu2, s2) = Moments(FeatureMatrix.ToTensor(fake));
        return FromMoments(mu1, s1, mu2, s2);
    }

    /// <summary>The distance between 2-D feature tensors (rows = samples).</summary>
    public FrechetDistanceResult Compute(Tensor real, Tensor fake) =>
        Compute(FeatureMatrix.FromTensor(real, Name, "real"), FeatureMatrix.FromTensor(fake, Name, "generated"));

    /// <summary>The distance between N(<paramref name="mu1"/>, <paramref name="sigma1"/>) and N(<paramref name="mu2"/>, <paramref name="sigma2"/>) (symmetric positive semi-definite D×D covariances).</summary>
    public FrechetDistanceResult Compute(double[] mu1, double[,] sigma1, double[] mu2, double[,] sigma2)
    {
        ArgumentNullException.ThrowIfNull(mu1);
        ArgumentNullException.ThrowIfNull(mu2);
        int d = mu1.Length;
        if (d == 0 || mu2.Length != d || sigma1.GetLength(0) != d || sigma1.GetLength(1) != d || sigma2.GetLength(0) != d || sigma2.GetLength(1) != d)
            throw new GlassboxException($"{Name}: the means must have one length D ≥ 1 and the covariances be D×D; got means of {mu1.Length} and {mu2.Length}, covariances {sigma1.GetLength(0)}×{sigma1.GetLength(1)} and {sigma2.GetLength(0)}×{sigma2.GetLength(1)}.");
        FeatureMatrix.Check(sigma1, Name, "first covariance", 1, "a covariance");
        FeatureMatrix.Check(sigma2, Name, "second covariance", 1, "a covariance");
        if (mu1.Concat(mu2).Any(v => !double.IsFinite(v)))
            throw new GlassboxException($"{Name}: the means hold a non-finite value; fix the statistics.");
        using var scope = NewDisposeScope();
        return FromMoments(tensor(mu1, ScalarType.Float64), FeatureMatrix.ToTensor(sigma1), tensor(mu2, ScalarType.Float64), FeatureMatrix.ToTensor(sigma2));
    }

    private static (Tensor Mean, Tensor Cov) Moments(Tensor x)
    {
        var mean = x.mean(new long[] { 0 });
        var c = x - mean;
        return (mean, c.t().matmul(c) / (x.shape[0] - 1));
    }

    private FrechetDistanceResult FromMoments(Tensor mu1, Tensor s1, Tensor mu2, Tensor s2)
    {
        var diff = mu1 - mu2;
        double meanTerm = diff.dot(diff).item<double>();
        double traces = s1.trace().item<double>() + s2.trace().item<double>();
        var (sqrtTrace, clamped) = TraceSqrtProduct(s1, s2);
        bool offset = false;
        if (!double.IsFinite(sqrtTrace))
        {
            var eye = torch.eye(s1.shape[0], dtype: ScalarType.Float64) * Options.Eps;
            (sqrtTrace, clamped) = TraceSqrtProduct(s1 + eye, s2 + eye);
            offset = true;
            if (!double.IsFinite(sqrtTrace))
                throw new GlassboxException($"{Name}: the square root of the covariance product is not finite even with the eps·I offset (eps = {Options.Eps}); the features are degenerate, give more samples or a larger eps.");
        }
        double traceTerm = traces - 2 * sqrtTrace;
        return new FrechetDistanceResult(meanTerm + traceTerm, meanTerm, traceTerm, offset, clamped);
    }

    /// <summary>Tr (Σ₁Σ₂)^½ via the eigenvalues of √Σ₁·Σ₂·√Σ₁, and the most negative eigenvalue set to 0.</summary>
    private static (double Trace, double Clamped) TraceSqrtProduct(Tensor s1, Tensor s2)
    {
        var a = SymmetricSqrt(s1);
        var p = a.matmul(s2).matmul(a);
        p = (p + p.t()) / 2;
        var ev = torch.linalg.eigvalsh(p).data<double>().ToArray();
        double tol = RankTolerance(ev), trace = 0, clamped = 0;
        foreach (var v in ev)
        {
            if (v > tol) trace += Math.Sqrt(v);
            else if (v < 0) clamped = Math.Min(clamped, v);
        }
        return (trace, clamped);
    }

    /// <summary>Eigenvalues at or below D·ε·max|λ| are rounding noise of a singular matrix (numpy's matrix_rank tolerance) and count as 0.</summary>
    private static double RankTolerance(double[] eigenvalues) =>
        eigenvalues.Length * 2.220446049250313e-16 * eigenvalues.Select(Math.Abs).DefaultIfEmpty(0).Max();

    private static Tensor SymmetricSqrt(Tensor s)
    {
        var sym = (s + s.t()) / 2;
        var (values, vectors) = torch.linalg.eigh(sym);
        double tol = RankTolerance(values.data<double>().ToArray());
        var root = values.clone().masked_fill(values.le(tol), 0).sqrt();
        return (vectors * root.unsqueeze(0)).matmul(vectors.t());
    }
}

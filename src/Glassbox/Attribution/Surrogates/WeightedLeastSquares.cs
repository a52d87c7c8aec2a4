using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Surrogates;

/// <summary>
/// Weighted least squares in double precision: <c>β = argmin Σ_s w_s ‖y_s − X_s β‖²</c> for several right-hand sides,
/// solved through the normal equations <c>(XᵀWX) β = XᵀWY</c> with a Cholesky factorisation. When XᵀWX is singular
/// (a feature never varies among the samples) a small ridge <c>λ·I</c> is added, starting at 1e-10 of the mean
/// diagonal and growing tenfold until the factorisation succeeds; <see cref="Result.Ridge"/> reports it.
/// </summary>
public static class WeightedLeastSquares
{
    /// <summary>Coefficients (cols × outputs, row-major) and the ridge that was needed (0 when none).</summary>
    /// <param name="Coefficients">β, cols × outputs, row-major.</param>
    /// <param name="Ridge">The λ added to the diagonal, 0 when XᵀWX was positive definite.</param>
    public sealed record Result(double[] Coefficients, double Ridge);

    /// <summary>
    /// Solves for <paramref name="x"/> rows × cols (row-major), weights per row, and <paramref name="y"/> rows × outputs
    /// (row-major). Weights must be non-negative and finite.
    /// </summary>
    public static Result Solve(double[] x, int rows, int cols, double[] weights, double[] y, int outputs)
    {
        if (x.Length != (long)rows * cols || weights.Length != rows || y.Length != (long)rows * outputs)
            throw new ArgumentException("Weighted least squares: array sizes do not match rows, cols and outputs.");
        if (weights.Any(v => !(v >= 0) || double.IsInfinity(v)))
            throw new ArgumentException("Weighted least squares: weights must be non-negative and finite.");
        if (cols == 0) return new Result([], 0);

        double[] gram, rhs;
        using (var scope = torch.NewDisposeScope())
        {
            var xt = torch.tensor(x, [rows, cols], ScalarType.Float64);
            var wt = torch.tensor(weights, [rows, 1], ScalarType.Float64);
            var yt = torch.tensor(y, [rows, outputs], ScalarType.Float64);
            var xw = xt * wt;
            gram = xw.t().mm(xt).contiguous().data<double>().ToArray();
            rhs = xw.t().mm(yt).contiguous().data<double>().ToArray();
        }

        double meanDiag = 0;
        for (int i = 0; i < cols; i++) meanDiag += gram[i * cols + i];
        meanDiag = Math.Max(meanDiag / cols, double.Epsilon);
        double ridge = 0;
        for (int attempt = 0; attempt < 40; attempt++)
        {
            var l = Cholesky(gram, cols, ridge);
            if (l is not null) return new Result(SolveFactored(l, cols, rhs, outputs), ridge);
            ridge = ridge == 0 ? 1e-10 * meanDiag : ridge * 10;
        }
        throw new GlassboxException("The weighted least-squares system could not be solved; use more samples or fewer features.");
    }

    // Lower-triangular L with L·Lᵀ = A + ridge·I, or null when a pivot is not clearly positive.
    private static double[]? Cholesky(double[] a, int n, double ridge)
    {
        var l = new double[n * n];
        double scale = 0;
        for (int i = 0; i < n; i++) scale = Math.Max(scale, Math.Abs(a[i * n + i]) + ridge);
        double tiny = 1e-13 * Math.Max(scale, double.Epsilon);
        for (int j = 0; j < n; j++)
        {
            double sum = a[j * n + j] + ridge;
            for (int q = 0; q < j; q++) sum -= l[j * n + q] * l[j * n + q];
            if (!(sum > tiny)) return null;
            double diag = Math.Sqrt(sum);
            l[j * n + j] = diag;
            for (int i = j + 1; i < n; i++)
            {
                double s = a[i * n + j];
                for (int q = 0; q < j; q++) s -= l[i * n + q] * l[j * n + q];
                l[i * n + j] = s / diag;
            }
        }
        return l;
    }

    private static double[] SolveFactored(double[] l, int n, double[] b, int outputs)
    {
        var result = new double[n * outputs];
        var z = new double[n];
        for (int o = 0; o < outputs; o++)
        {
            for (int i = 0; i < n; i++)
            {
                double s = b[i * outputs + o];
                for (int q = 0; q < i; q++) s -= l[i * n + q] * z[q];
                z[i] = s / l[i * n + i];
            }
            for (int i = n - 1; i >= 0; i--)
            {
                double s = z[i];
                for (int q = i + 1; q < n; q++) s -= l[q * n + i] * result[q * outputs + o];
                result[i * outputs + o] = s / l[i * n + i];
            }
        }
        return result;
    }
}

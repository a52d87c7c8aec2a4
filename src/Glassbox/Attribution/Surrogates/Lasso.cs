namespace Glassbox.Attribution.Surrogates;

/// <summary>
/// Weighted Lasso with an intercept, as scikit-learn's <c>Lasso(alpha).fit(X, y, sample_weight=w)</c> that Captum's
/// LIME uses (Tibshirani 1996): minimises <c>(1 / (2 Σw)) Σ_i w_i (y_i − b − x_i·β)² + α ‖β‖₁</c> by cyclic coordinate
/// descent in double precision on weight-centred data, to a tighter tolerance than scikit-learn's default.
/// </summary>
public static class Lasso
{
    /// <summary>Coefficients and intercept.</summary>
    /// <param name="Coefficients">β, one per column.</param>
    /// <param name="Intercept">b.</param>
    /// <param name="Iterations">Coordinate-descent sweeps used.</param>
    public sealed record Result(double[] Coefficients, double Intercept, int Iterations);

    /// <summary>Fits <paramref name="y"/> ≈ b + X·β for X rows × cols (row-major) with non-negative <paramref name="weights"/>.</summary>
    public static Result Fit(double[] x, int rows, int cols, double[] y, double[] weights, double alpha, int maxSweeps = 10000, double tolerance = 1e-12)
    {
        if (x.Length != (long)rows * cols || y.Length != rows || weights.Length != rows)
            throw new ArgumentException("Lasso: array sizes do not match rows and cols.");
        if (!(alpha >= 0) || double.IsInfinity(alpha)) throw new GlassboxException($"The Lasso alpha must be a non-negative number, not {alpha}.");
        double wsum = 0;
        foreach (double v in weights)
        {
            if (!(v >= 0) || double.IsInfinity(v)) throw new ArgumentException("Lasso: weights must be non-negative and finite.");
            wsum += v;
        }
        if (!(wsum > 0)) throw new GlassboxException("All LIME samples have zero similarity weight; increase the kernel width.");
        var w = weights.Select(v => v / wsum).ToArray();
        // Weighted centring: the intercept then drops out of the coordinate updates.
        var xm = new double[cols];
        double ym = 0;
        for (int i = 0; i < rows; i++)
        {
            ym += w[i] * y[i];
            for (int j = 0; j < cols; j++) xm[j] += w[i] * x[i * cols + j];
        }
        var xc = new double[rows * cols];
        var r = new double[rows];
        for (int i = 0; i < rows; i++)
        {
            r[i] = y[i] - ym;
            for (int j = 0; j < cols; j++) xc[i * cols + j] = x[i * cols + j] - xm[j];
        }
        var z = new double[cols];
        for (int j = 0; j < cols; j++)
            for (int i = 0; i < rows; i++) z[j] += w[i] * xc[i * cols + j] * xc[i * cols + j];
        var beta = new double[cols];
        double scale = Math.Max(1e-300, r.Select((v, i) => w[i] * v * v).Sum());
        int sweep = 0;
        for (; sweep < maxSweeps; sweep++)
        {
            double maxChange = 0;
            for (int j = 0; j < cols; j++)
            {
                if (z[j] == 0) continue;
                double rho = 0;
                for (int i = 0; i < rows; i++) rho += w[i] * xc[i * cols + j] * (r[i] + xc[i * cols + j] * beta[j]);
                double updated = Math.Sign(rho) * Math.Max(Math.Abs(rho) - alpha, 0) / z[j];
                double diff = updated - beta[j];
                if (diff != 0)
                {
                    for (int i = 0; i < rows; i++) r[i] -= xc[i * cols + j] * diff;
                    beta[j] = updated;
                    maxChange = Math.Max(maxChange, diff * diff * z[j]);
                }
            }
            if (maxChange <= tolerance * scale) break;
        }
        double intercept = ym;
        for (int j = 0; j < cols; j++) intercept -= xm[j] * beta[j];
        return new Result(beta, intercept, sweep + 1);
    }
}

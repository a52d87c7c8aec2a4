namespace Glassbox.Attribution.Approximation;

/// <summary>
/// Gauss–Legendre quadrature on [0,1]: <c>alphas = 0.5·(1 + nodes)</c>, <c>weights = 0.5·w</c>, the form Captum uses
/// for path integrals. Nodes come from Newton's method on the Legendre polynomial (double precision).
/// </summary>
internal static class GaussLegendre
{
    /// <summary>Points in (0,1), ascending, and weights summing to 1, for <paramref name="n"/> nodes.</summary>
    public static (double[] Alphas, double[] Weights) UnitInterval(int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), "At least one node is needed.");
        var x = new double[n];
        var w = new double[n];
        for (int i = 0; i < (n + 1) / 2; i++)
        {
            double z = Math.Cos(Math.PI * (i + 0.75) / (n + 0.5));
            double dp = 0;
            for (int iter = 0; iter < 100; iter++)
            {
                double p0 = 1, p1 = z;
                for (int k = 2; k <= n; k++) (p0, p1) = (p1, ((2 * k - 1) * z * p1 - (k - 1) * p0) / k);
                dp = n * (z * p1 - p0) / (z * z - 1);
                double dz = p1 / dp;
                z -= dz;
                if (Math.Abs(dz) < 1e-15) break;
            }
            x[i] = -z; x[n - 1 - i] = z;
            w[i] = w[n - 1 - i] = 2 / ((1 - z * z) * dp * dp);
        }
        var alphas = x.Select(v => 0.5 * (1 + v)).ToArray();
        var weights = w.Select(v => 0.5 * v).ToArray();
        return (alphas, weights);
    }
}

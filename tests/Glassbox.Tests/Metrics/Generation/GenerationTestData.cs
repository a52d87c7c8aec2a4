namespace Glassbox.Tests.Metrics.Generation;

/// <summary>Seeded Gaussian samples for the generation-metric tests.</summary>
internal static class GenerationTestData
{
    /// <summary>N rows of independent normals with the given means and standard deviations per column.</summary>
    public static double[,] Gaussian(int n, double[] mean, double[] std, int seed)
    {
        var rng = new Random(seed);
        var x = new double[n, mean.Length];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < mean.Length; j++)
            {
                double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
                x[i, j] = mean[j] + std[j] * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
            }
        return x;
    }

    /// <summary>N rows of D standard normals mixed by a fixed lower-triangular matrix (correlated columns).</summary>
    public static double[,] Correlated(int n, int d, int seed)
    {
        var z = Gaussian(n, new double[d], Enumerable.Repeat(1.0, d).ToArray(), seed);
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                for (int c = 0; c <= j; c++) x[i, j] += z[i, c] * (1.0 + 0.5 * c - 0.1 * j);
        return x;
    }

    /// <summary>Rows given as arrays.</summary>
    public static double[,] Rows(params double[][] rows)
    {
        var x = new double[rows.Length, rows[0].Length];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < rows[0].Length; j++) x[i, j] = rows[i][j];
        return x;
    }
}

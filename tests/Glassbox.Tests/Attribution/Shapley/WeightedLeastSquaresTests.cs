using Glassbox.Attribution.Surrogates;

namespace Glassbox.Tests.Attribution.Shapley;

public class WeightedLeastSquaresTests
{
    [Fact]
    public void WeightedLeastSquares_RecoversExactCoefficients_AndMatchesWeightedNormalEquations()
    {
        var rng = new Random(1);
        int rows = 40, cols = 5;
        var x = Enumerable.Range(0, rows * cols).Select(_ => rng.NextDouble() * 2 - 1).ToArray();
        var w = Enumerable.Range(0, rows).Select(_ => rng.NextDouble() + 0.1).ToArray();
        double[] beta = [1.5, -2, 0.25, 3, -0.75];
        var y = new double[rows * 2];
        for (int r = 0; r < rows; r++)
        {
            double s = 0;
            for (int c = 0; c < cols; c++) s += x[r * cols + c] * beta[c];
            y[r * 2] = s;                              // exact fit
            y[r * 2 + 1] = s + (r % 2 == 0 ? 1 : -1); // noisy fit
        }
        var result = WeightedLeastSquares.Solve(x, rows, cols, w, y, 2);
        Assert.Equal(0, result.Ridge);
        for (int c = 0; c < cols; c++) Assert.Equal(beta[c], result.Coefficients[c * 2], 1e-10);
        // The noisy solution makes the weighted residual orthogonal to every column.
        for (int c = 0; c < cols; c++)
        {
            double g = 0;
            for (int r = 0; r < rows; r++)
            {
                double fit = 0;
                for (int q = 0; q < cols; q++) fit += x[r * cols + q] * result.Coefficients[q * 2 + 1];
                g += w[r] * x[r * cols + c] * (y[r * 2 + 1] - fit);
            }
            Assert.Equal(0, g, 1e-9);
        }
    }

    [Fact]
    public void WeightedLeastSquares_AddsASmallRidge_OnlyWhenSingular()
    {
        // The second column is always zero: the normal matrix is singular.
        double[] x = [1, 0, 2, 0, 3, 0];
        var result = WeightedLeastSquares.Solve(x, 3, 2, [1, 1, 1], [2, 4, 6], 1);
        Assert.True(result.Ridge > 0 && result.Ridge < 1e-6);
        Assert.Equal(2, result.Coefficients[0], 1e-6);
        Assert.Equal(0, result.Coefficients[1], 1e-9);
    }
}

namespace Glassbox.Attribution.Approximation;

/// <summary>
/// Riemann sums on [0,1] as Captum defines them (<c>captum/attr/_utils/approximation_methods.py</c>): n ≥ 2 equal
/// steps of 1/n, with alphas left = linspace(0, 1−1/n, n), right = linspace(1/n, 1, n), middle =
/// linspace(1/(2n), 1−1/(2n), n) and trapezoid = linspace(0, 1, n).
/// <para>Captum's trapezoid keeps the step 1/n of the other rules and halves the two end weights, so its weights
/// sum to (n−1)/n rather than 1 (the textbook trapezoid on n points uses 1/(n−1)). Integrated gradients with it
/// therefore recover only (n−1)/n of f(x) − f(b) on a linear model (2 % short at 50 steps); kept for parity.</para>
/// </summary>
internal static class Riemann
{
    /// <summary>Alphas and step sizes for <paramref name="method"/> (a Riemann method) and <paramref name="steps"/> ≥ 2 steps.</summary>
    public static (double[] Alphas, double[] Weights) UnitInterval(IntegrationMethod method, int steps)
    {
        if (method == IntegrationMethod.GaussLegendre)
            throw new ArgumentException("Gauss–Legendre is not a Riemann method.", nameof(method));
        if (steps < 2)
            throw new GlassboxException($"n_steps must be at least 2 for {method.ToName()} (as in Captum), not {steps}.");
        double n = steps;
        var weights = Enumerable.Repeat(1 / n, steps).ToArray();
        (double first, double last) = method switch
        {
            IntegrationMethod.RiemannLeft => (0.0, 1 - 1 / n),
            IntegrationMethod.RiemannRight => (1 / n, 1.0),
            IntegrationMethod.RiemannMiddle => (1 / (2 * n), 1 - 1 / (2 * n)),
            IntegrationMethod.RiemannTrapezoid => (0.0, 1.0),
            _ => throw new ArgumentOutOfRangeException(nameof(method)),
        };
        if (method == IntegrationMethod.RiemannTrapezoid)
        {
            weights[0] /= 2;
            weights[^1] /= 2;
        }
        var alphas = new double[steps];
        double step = (last - first) / (steps - 1);
        for (int i = 0; i < steps; i++) alphas[i] = first + i * step;
        alphas[^1] = last;
        return (alphas, weights);
    }
}

namespace Glassbox.Attribution.Approximation;

/// <summary>How a path integral over α ∈ [0,1] is approximated (Captum's <c>method</c> of integrated gradients).</summary>
public enum IntegrationMethod
{
    /// <summary>Gauss–Legendre quadrature (Captum's default, "gausslegendre").</summary>
    GaussLegendre,
    /// <summary>Left Riemann sum ("riemann_left").</summary>
    RiemannLeft,
    /// <summary>Right Riemann sum ("riemann_right").</summary>
    RiemannRight,
    /// <summary>Midpoint Riemann sum ("riemann_middle").</summary>
    RiemannMiddle,
    /// <summary>Captum's trapezoid rule ("riemann_trapezoid"): weights sum to (n−1)/n, see <see cref="Riemann"/>.</summary>
    RiemannTrapezoid,
}

/// <summary>Names, parsing and quadrature points of <see cref="IntegrationMethod"/>.</summary>
internal static class IntegrationMethods
{
    /// <summary>The command-line (Captum) names, in enum order.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["gausslegendre", "riemann_left", "riemann_right", "riemann_middle", "riemann_trapezoid"];

    /// <summary>The Captum name of <paramref name="method"/>.</summary>
    public static string ToName(this IntegrationMethod method) => Names[(int)method];

    /// <summary>Parses a Captum name (case-insensitive; '-' may stand for '_'), or throws a <see cref="GlassboxException"/> listing the names.</summary>
    public static IntegrationMethod Parse(string name)
    {
        string key = name.Trim().ToLowerInvariant().Replace('-', '_');
        for (int i = 0; i < Names.Count; i++)
            if (Names[i] == key) return (IntegrationMethod)i;
        throw new GlassboxException($"Unknown integration method '{name}'. Use one of: {string.Join(", ", Names)}.");
    }

    /// <summary>
    /// Points α_i in [0,1] and weights w_i so that ∫₀¹ g(α) dα ≈ Σ w_i g(α_i), exactly as Captum's
    /// <c>approximation_parameters(method)</c> returns them for <paramref name="steps"/> steps.
    /// </summary>
    public static (double[] Alphas, double[] Weights) Points(this IntegrationMethod method, int steps)
    {
        if (method == IntegrationMethod.GaussLegendre)
        {
            if (steps < 1) throw new GlassboxException($"n_steps must be at least 1 for gausslegendre, not {steps}.");
            return GaussLegendre.UnitInterval(steps);
        }
        return Riemann.UnitInterval(method, steps);
    }
}

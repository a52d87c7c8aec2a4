namespace Glassbox.Visualization.Charts;

/// <summary>Area under a sampled curve.</summary>
public static class CurveArea
{
    /// <summary>Trapezoidal area under y(x); x must be non-decreasing and the arrays of equal length.</summary>
    public static double Trapezoid(double[] x, double[] y)
    {
        if (x.Length != y.Length)
            throw new GlassboxException($"The curve has {x.Length} x values but {y.Length} y values; pass one y per x.");
        double area = 0;
        for (int i = 1; i < x.Length; i++)
        {
            if (x[i] < x[i - 1])
                throw new GlassboxException($"Curve x values must not decrease (x[{i - 1}] = {x[i - 1]}, x[{i}] = {x[i]}); sort the points first.");
            area += (x[i] - x[i - 1]) * (y[i] + y[i - 1]) / 2;
        }
        return area;
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Generation.Explain.Directions;

/// <summary>Small linear-algebra helpers shared by the direction methods (float64 throughout).</summary>
internal static class DirectionMath
{
    /// <summary>A 2-D float64 CPU copy of <paramref name="t"/>.</summary>
    public static Tensor Float64(Tensor t) => t.detach().cpu().to_type(ScalarType.Float64).contiguous();

    /// <summary>Rows of a 2-D tensor as arrays.</summary>
    public static double[][] Rows(Tensor m)
    {
        using var c = Float64(m);
        int rows = (int)c.shape[0], cols = (int)c.shape[1];
        var flat = c.data<double>().ToArray();
        return Enumerable.Range(0, rows).Select(r => flat.AsSpan(r * cols, cols).ToArray()).ToArray();
    }

    /// <summary>The k × L float64 matrix whose rows are <paramref name="vectors"/>.</summary>
    public static Tensor Matrix(IReadOnlyList<double[]> vectors)
    {
        int cols = vectors[0].Length;
        return torch.tensor(vectors.SelectMany(v => v).ToArray(), [vectors.Count, cols], ScalarType.Float64);
    }

    /// <summary>
    /// The <paramref name="k"/> eigenpairs of symmetric <paramref name="m"/> with the largest eigenvalues, in
    /// descending order; eigenvectors are the rows of the returned matrix, each signed so that its largest-magnitude
    /// entry is positive (eigenvectors are defined up to sign).
    /// </summary>
    public static (double[] Values, double[][] Vectors) TopEigen(Tensor m, int k)
    {
        using var scope = torch.NewDisposeScope();
        var sym = (m + m.t()) / 2;
        var (values, vectors) = torch.linalg.eigh(sym);
        var v = values.data<double>().ToArray();
        var cols = Rows(vectors.t());
        var order = Enumerable.Range(0, v.Length).OrderByDescending(i => v[i]).Take(k).ToArray();
        return (order.Select(i => v[i]).ToArray(), order.Select(i => SignFixed(cols[i])).ToArray());
    }

    /// <summary><paramref name="v"/> scaled to unit norm; with <paramref name="fixSign"/>, signed so its largest-magnitude entry is positive.</summary>
    public static double[] Unit(double[] v, string what, bool fixSign = true)
    {
        double norm = Math.Sqrt(v.Sum(x => x * x));
        if (!(norm > 1e-12) || !double.IsFinite(norm))
            throw new GlassboxException($"The {what} direction has zero or non-finite length; there is no direction to follow.");
        var unit = v.Select(x => x / norm).ToArray();
        return fixSign ? SignFixed(unit) : unit;
    }

    /// <summary><paramref name="v"/> or −<paramref name="v"/>, whichever has its largest-magnitude entry positive.</summary>
    public static double[] SignFixed(double[] v)
    {
        int arg = 0;
        for (int i = 1; i < v.Length; i++) if (Math.Abs(v[i]) > Math.Abs(v[arg])) arg = i;
        return v[arg] < 0 ? v.Select(x => -x).ToArray() : v;
    }

    /// <summary>Cosine of the angle between <paramref name="a"/> and <paramref name="b"/>.</summary>
    public static double Cosine(double[] a, double[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return dot / Math.Sqrt(na * nb);
    }
}

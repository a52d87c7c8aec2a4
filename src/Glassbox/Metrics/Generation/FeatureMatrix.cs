using static TorchSharp.torch;

namespace Glassbox.Metrics.Generation;

/// <summary>Checks and converts the feature matrices (rows = samples, columns = features) the generation metrics read.</summary>
internal static class FeatureMatrix
{
    /// <summary>A 2-D tensor as a double matrix (any floating dtype, any device).</summary>
    public static double[,] FromTensor(Tensor features, string metric, string what)
    {
        if (features.dim() != 2)
            throw new GlassboxException($"{metric}: the {what} features must be a 2-D tensor (samples × features), got shape [{string.Join(", ", features.shape)}].");
        int n = (int)features.shape[0], d = (int)features.shape[1];
        using var cpu = features.detach().to(ScalarType.Float64).cpu().contiguous();
        var flat = cpu.data<double>().ToArray();
        var m = new double[n, d];
        Buffer.BlockCopy(flat, 0, m, 0, flat.Length * sizeof(double));
        return m;
    }

    /// <summary>Throws unless <paramref name="x"/> has at least <paramref name="minRows"/> rows, at least one column and only finite values.</summary>
    public static void Check(double[,] x, string metric, string what, int minRows, string why)
    {
        ArgumentNullException.ThrowIfNull(x);
        int n = x.GetLength(0), d = x.GetLength(1);
        if (d == 0)
            throw new GlassboxException($"{metric}: the {what} features have no columns; give one row of features per sample.");
        if (n < minRows)
            throw new GlassboxException($"{metric}: {n} {what} sample(s) are too few; {why} needs at least {minRows}.");
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
                if (!double.IsFinite(x[i, j]))
                    throw new GlassboxException($"{metric}: the {what} features hold a non-finite value ({x[i, j]}) at row {i}, column {j}; remove or fix that sample.");
    }

    /// <summary>Throws unless both matrices have the same number of columns.</summary>
    public static void CheckSameWidth(double[,] real, double[,] fake, string metric)
    {
        if (real.GetLength(1) != fake.GetLength(1))
            throw new GlassboxException($"{metric}: real features have {real.GetLength(1)} columns but generated features have {fake.GetLength(1)}; both must come from the same feature extractor.");
    }

    /// <summary>The matrix as a Float64 tensor (caller disposes).</summary>
    public static Tensor ToTensor(double[,] x)
    {
        int n = x.GetLength(0), d = x.GetLength(1);
        var flat = new double[n * d];
        Buffer.BlockCopy(x, 0, flat, 0, flat.Length * sizeof(double));
        return tensor(flat, new long[] { n, d }, ScalarType.Float64);
    }

    /// <summary>Euclidean distance between row <paramref name="i"/> of <paramref name="a"/> and row <paramref name="j"/> of <paramref name="b"/>, summed directly (no ‖a‖²+‖b‖²−2ab shortcut).</summary>
    public static double Distance(double[,] a, int i, double[,] b, int j)
    {
        double s = 0;
        for (int c = 0; c < a.GetLength(1); c++)
        {
            double t = a[i, c] - b[j, c];
            s += t * t;
        }
        return Math.Sqrt(s);
    }
}

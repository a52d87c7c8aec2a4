namespace Glassbox.Generation.Explain.Directions;

/// <summary>
/// SeFa, closed-form factorisation of latent semantics (Shen &amp; Zhou, CVPR 2021): the unit latent directions n
/// that the first layer W amplifies most, argmax ‖W n‖², are the top eigenvectors of WᵀW. No sampling, no training.
/// </summary>
public static class Sefa
{
    /// <summary>The top <see cref="SefaOptions.Count"/> eigenvectors of ŴᵀŴ of <paramref name="layer"/> (scores: eigenvalues).</summary>
    public static LatentDirections Compute(FirstLayer layer, SefaOptions? options = null)
    {
        options ??= new SefaOptions();
        options.Validate();
        if (options.Count > layer.LatentSize)
            throw new GlassboxException($"SeFa finds at most {layer.LatentSize} directions in a {layer.LatentSize}-dimensional latent, not {options.Count}.");
        var rows = layer.LatentWeight.Select(r =>
        {
            if (!options.NormalizeUnits) return r;
            double norm = Math.Sqrt(r.Sum(v => v * v));
            return norm > 0 ? r.Select(v => v / norm).ToArray() : r;
        }).ToList();
        using var w = DirectionMath.Matrix(rows);
        using var gram = w.t().matmul(w);
        var (values, vectors) = DirectionMath.TopEigen(gram, options.Count);
        return new LatentDirections("sefa", vectors, values, "eigenvalue of WᵀW");
    }
}

using Glassbox.Metrics.Agreement;

namespace Glassbox.Metrics.Randomisation;

/// <summary>The similarity measures the randomisation metrics compare maps with (Quantus' <c>similarity_func</c>).</summary>
internal static class MapSimilarity
{
    /// <summary>The names: Spearman's rank correlation and SSIM.</summary>
    public static readonly string[] Names = ["spearman", "ssim"];

    /// <summary>Throws a clear error unless <paramref name="name"/> is one of <see cref="Names"/>.</summary>
    public static string Check(string name, string metric)
        => Names.Contains(name) ? name
            : throw new GlassboxException($"{metric}: the similarity must be one of {string.Join(", ", Names)}, not '{name}'.");

    /// <summary>The similarity of two C×H×W maps (SSIM with Quantus' data range rule).</summary>
    public static double Compute(string name, float[] a, float[] b, int[] mapShape) => name switch
    {
        "spearman" => SpearmanRankCorrelation.Compute(a, b),
        "ssim" => StructuralSimilarity.Compute(a, b, mapShape[0], mapShape[1], mapShape[2], StructuralSimilarity.QuantusDataRange(a, b)),
        _ => throw new GlassboxException($"Unknown similarity '{name}'. Use one of {string.Join(", ", Names)}."),
    };
}

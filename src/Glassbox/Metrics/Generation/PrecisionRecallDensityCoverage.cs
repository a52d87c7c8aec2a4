using Glassbox.Attribution.Catalog;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Generation;

/// <summary>Settings for <see cref="PrecisionRecallDensityCoverage"/>.</summary>
/// <param name="PrecisionRecallK">k of the k-nearest-neighbour radii for precision and recall (Kynkäänniemi et al. 2019 use 3).</param>
/// <param name="DensityCoverageK">k of the radii for density and coverage (Naeem et al. 2020 and clovaai/prdc's examples use 5; prdc's <c>nearest_k</c>).</param>
public sealed record PrecisionRecallDensityCoverageOptions(
    [property: Option("precision-recall-k", Reference = "nearest_k", Min = 1, Max = 100000, Help = "k of the nearest-neighbour radii for precision and recall")] int PrecisionRecallK = 3,
    [property: Option("density-coverage-k", Reference = "nearest_k", Min = 1, Max = 100000, Help = "k of the nearest-neighbour radii for density and coverage")] int DensityCoverageK = 5);

/// <summary>The four manifold scores of generated against real features.</summary>
/// <param name="Precision">Share of generated samples inside some real sample's k-NN ball (fidelity, 0..1).</param>
/// <param name="Recall">Share of real samples inside some generated sample's k-NN ball (diversity, 0..1).</param>
/// <param name="Density">Mean over generated samples of the number of real k-NN balls containing it, divided by k (≈ 1 when the sets match; can exceed 1).</param>
/// <param name="Coverage">Share of real samples whose k-NN ball contains at least one generated sample (0..1).</param>
public sealed record PrecisionRecallDensityCoverageResult(double Precision, double Recall, double Density, double Coverage);

/// <summary>
/// Improved precision and recall (Kynkäänniemi et al. 2019, "Improved Precision and Recall Metric for Assessing
/// Generative Models") and density and coverage (Naeem et al. 2020, "Reliable Fidelity and Diversity Metrics for
/// Generative Models"), as clovaai/prdc's <c>compute_prdc</c>: every sample's radius is the exact Euclidean distance to
/// its k-th nearest neighbour in its own set (itself excluded), and "inside a ball" is a strict &lt; comparison.
/// Precision and recall use k = <see cref="PrecisionRecallDensityCoverageOptions.PrecisionRecallK"/>, density and
/// coverage k = <see cref="PrecisionRecallDensityCoverageOptions.DensityCoverageK"/>. Cost: O((N+M)²·D) time, O(N+M) memory beyond the features.
/// </summary>
public sealed class PrecisionRecallDensityCoverage
{
    private const string Name = "Precision/recall/density/coverage";

    /// <summary>The metric with <paramref name="options"/> (null = defaults); bad settings are an error here.</summary>
    public PrecisionRecallDensityCoverage(PrecisionRecallDensityCoverageOptions? options = null)
    {
        Options = options ?? new PrecisionRecallDensityCoverageOptions();
        if (Options.PrecisionRecallK < 1 || Options.DensityCoverageK < 1)
            throw new GlassboxException($"{Name}: k must be ≥ 1, got precision-recall-k = {Options.PrecisionRecallK}, density-coverage-k = {Options.DensityCoverageK}.");
    }

    /// <summary>The settings.</summary>
    public PrecisionRecallDensityCoverageOptions Options { get; }

    /// <summary>The four scores of <paramref name="fake"/> (M×D) against <paramref name="real"/> (N×D); both sets need more than k samples.</summary>
    public PrecisionRecallDensityCoverageResult Compute(double[,] real, double[,] fake)
    {
        int kMax = Math.Max(Options.PrecisionRecallK, Options.DensityCoverageK);
        FeatureMatrix.Check(real, Name, "real", kMax + 1, $"a k-th nearest neighbour with k = {kMax} (k must be smaller than the sample count)");
        FeatureMatrix.Check(fake, Name, "generated", Options.PrecisionRecallK + 1, $"a k-th nearest neighbour with k = {Options.PrecisionRecallK} (k must be smaller than the sample count)");
        FeatureMatrix.CheckSameWidth(real, fake, Name);
        int n = real.GetLength(0), m = fake.GetLength(0);
        // No N×N or N×M matrix is kept: radii and the real-vs-generated comparisons are computed row by row, so memory
        // is O(N + M) beyond the features (the distances are recomputed, the same numbers as a stored matrix).
        int prK = Options.PrecisionRecallK, dcK = Options.DensityCoverageK;
        var (realPr, realDc) = KthNeighbourRadii(real, prK, dcK);
        var (fakePr, _) = KthNeighbourRadii(fake, prK, prK);

        var preciseByFake = new bool[m];
        var containedByFake = new int[m];
        Parallel.For(0, m, j =>
        {
            bool any = false;
            int contained = 0;
            for (int i = 0; i < n; i++)
            {
                double d = FeatureMatrix.Distance(real, i, fake, j);
                if (d < realPr[i]) any = true;
                if (d < realDc[i]) contained++;
            }
            preciseByFake[j] = any;
            containedByFake[j] = contained;
        });
        var recalledByReal = new bool[n];
        var coveredByReal = new bool[n];
        Parallel.For(0, n, i =>
        {
            bool any = false;
            double nearest = double.PositiveInfinity;
            for (int j = 0; j < m; j++)
            {
                double d = FeatureMatrix.Distance(real, i, fake, j);
                if (d < fakePr[j]) any = true;
                nearest = Math.Min(nearest, d);
            }
            recalledByReal[i] = any;
            coveredByReal[i] = nearest < realDc[i];
        });
        int precise = preciseByFake.Count(b => b), recalled = recalledByReal.Count(b => b), covered = coveredByReal.Count(b => b);
        double containedTotal = containedByFake.Sum(c => (double)c);
        return new PrecisionRecallDensityCoverageResult(
            (double)precise / m, (double)recalled / n, containedTotal / (dcK * (double)m), (double)covered / n);
    }

    /// <summary>The four scores of 2-D feature tensors (rows = samples).</summary>
    public PrecisionRecallDensityCoverageResult Compute(Tensor real, Tensor fake) =>
        Compute(FeatureMatrix.FromTensor(real, Name, "real"), FeatureMatrix.FromTensor(fake, Name, "generated"));

    /// <summary>
    /// Each row's distance to its <paramref name="k1"/>-th and <paramref name="k2"/>-th nearest other row (itself
    /// excluded), keeping only the smallest max(k1, k2) distances per row.
    /// </summary>
    private static (double[] R1, double[] R2) KthNeighbourRadii(double[,] x, int k1, int k2)
    {
        int n = x.GetLength(0), k = Math.Max(k1, k2);
        var r1 = new double[n];
        var r2 = new double[n];
        Parallel.For(0, n, () => new double[k], (i, _, smallest) =>
        {
            // smallest[0..k) sorted ascending: an insertion into the k best seen so far.
            Array.Fill(smallest, double.PositiveInfinity);
            for (int j = 0; j < n; j++)
            {
                if (j == i) continue;
                double d = FeatureMatrix.Distance(x, i, x, j);
                if (d >= smallest[k - 1]) continue;
                int p = k - 1;
                while (p > 0 && smallest[p - 1] > d) { smallest[p] = smallest[p - 1]; p--; }
                smallest[p] = d;
            }
            r1[i] = smallest[k1 - 1];
            r2[i] = smallest[k2 - 1];
            return smallest;
        }, _ => { });
        return (r1, r2);
    }
}

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
/// coverage k = <see cref="PrecisionRecallDensityCoverageOptions.DensityCoverageK"/>. Cost: O((N+M)²·D) time, O((N+M)²) memory.
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
        var realReal = Pairwise(real, real);
        var fakeFake = Pairwise(fake, fake);
        var realFake = Pairwise(real, fake);
        var realPr = KthNeighbourRadii(realReal, Options.PrecisionRecallK);
        var fakePr = KthNeighbourRadii(fakeFake, Options.PrecisionRecallK);
        var realDc = KthNeighbourRadii(realReal, Options.DensityCoverageK);

        int precise = 0;
        double contained = 0;
        for (int j = 0; j < m; j++)
        {
            bool any = false;
            for (int i = 0; i < n; i++)
            {
                if (realFake[i, j] < realPr[i]) any = true;
                if (realFake[i, j] < realDc[i]) contained++;
            }
            if (any) precise++;
        }
        int recalled = 0, covered = 0;
        for (int i = 0; i < n; i++)
        {
            bool any = false;
            double nearest = double.PositiveInfinity;
            for (int j = 0; j < m; j++)
            {
                if (realFake[i, j] < fakePr[j]) any = true;
                nearest = Math.Min(nearest, realFake[i, j]);
            }
            if (any) recalled++;
            if (nearest < realDc[i]) covered++;
        }
        return new PrecisionRecallDensityCoverageResult(
            (double)precise / m, (double)recalled / n, contained / (Options.DensityCoverageK * (double)m), (double)covered / n);
    }

    /// <summary>The four scores of 2-D feature tensors (rows = samples).</summary>
    public PrecisionRecallDensityCoverageResult Compute(Tensor real, Tensor fake) =>
        Compute(FeatureMatrix.FromTensor(real, Name, "real"), FeatureMatrix.FromTensor(fake, Name, "generated"));

    private static double[,] Pairwise(double[,] a, double[,] b)
    {
        int n = a.GetLength(0), m = b.GetLength(0);
        var d = new double[n, m];
        Parallel.For(0, n, i =>
        {
            for (int j = 0; j < m; j++) d[i, j] = FeatureMatrix.Distance(a, i, b, j);
        });
        return d;
    }

    /// <summary>Each row's k-th smallest distance to the other rows (the zero self-distance is the 0-th).</summary>
    private static double[] KthNeighbourRadii(double[,] within, int k)
    {
        int n = within.GetLength(0);
        var radii = new double[n];
        var row = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++) row[j] = j == i ? double.NegativeInfinity : within[i, j];
            Array.Sort(row);
            radii[i] = row[k];
        }
        return radii;
    }
}

namespace Glassbox.App;

/// <summary>A mean with its percentile-bootstrap confidence interval (Efron &amp; Tibshirani 1993, ch. 13).</summary>
/// <param name="Mean">Mean of the finite scores (NaN when there are none).</param>
/// <param name="Low">Lower bound (2.5th percentile of the resampled means), or NaN without resamples.</param>
/// <param name="High">Upper bound (97.5th percentile), or NaN without resamples.</param>
/// <param name="Count">Finite scores the mean is over.</param>
public sealed record BootstrapInterval(double Mean, double Low, double High, int Count)
{
    /// <summary>
    /// The mean of the finite <paramref name="scores"/> and a 1 − <paramref name="alpha"/> interval from
    /// <paramref name="resamples"/> means of resamples drawn with replacement, seeded with <paramref name="seed"/>.
    /// </summary>
    public static BootstrapInterval Of(IReadOnlyList<double> scores, int resamples, int seed, double alpha = 0.05)
    {
        if (resamples < 0) throw new GlassboxException($"--bootstrap must be 0 (no interval) or positive, not {resamples}.");
        var x = scores.Where(double.IsFinite).ToArray();
        if (x.Length == 0) return new BootstrapInterval(double.NaN, double.NaN, double.NaN, 0);
        double mean = x.Average();
        if (resamples == 0) return new BootstrapInterval(mean, double.NaN, double.NaN, x.Length);
        var rng = new Random(seed);
        var means = new double[resamples];
        for (int b = 0; b < resamples; b++)
        {
            double sum = 0;
            for (int i = 0; i < x.Length; i++) sum += x[rng.Next(x.Length)];
            means[b] = sum / x.Length;
        }
        Array.Sort(means);
        return new BootstrapInterval(mean, Percentile(means, alpha / 2), Percentile(means, 1 - alpha / 2), x.Length);
    }

    /// <summary>Linear-interpolated percentile <paramref name="q"/> ∈ [0,1] of sorted values.</summary>
    public static double Percentile(double[] sorted, double q)
    {
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = Math.Min(sorted.Length - 1, lo + 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }

    /// <summary>A seed that depends only on the run's seed and the names (string hash codes change between processes).</summary>
    public static int StableSeed(int seed, params string[] names)
    {
        unchecked
        {
            uint h = 2166136261u ^ (uint)seed;
            foreach (string s in names)
                foreach (char c in s) { h ^= c; h *= 16777619u; }
            return (int)(h & 0x7fffffff);
        }
    }
}

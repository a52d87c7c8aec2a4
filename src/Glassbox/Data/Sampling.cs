namespace Glassbox.Data;

/// <summary>Seeded sampling of dataset indices (backgrounds, evaluation subsets).</summary>
public static class Sampling
{
    /// <summary>
    /// <paramref name="count"/> distinct indices below <paramref name="n"/> (all of them when <paramref name="count"/> ≥ n),
    /// the first ones of a shuffle seeded with <paramref name="seed"/>: the same seed gives the same indices.
    /// </summary>
    public static int[] SampleIndices(int n, int count, int seed)
    {
        if (n < 0) throw new GlassboxException($"Cannot sample from {n} items; the dataset size must not be negative.");
        if (count < 0) throw new GlassboxException($"Cannot draw {count} indices; ask for 0 or more.");
        var idx = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(idx);
        return idx.Take(Math.Min(count, n)).ToArray();
    }
}

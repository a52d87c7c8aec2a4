namespace Glassbox.Data;

/// <summary>Splits items into two disjoint parts that keep each class's share.</summary>
public static class StratifiedSplit
{
    /// <summary>
    /// Splits the indices 0..labels.Length−1 into two disjoint parts that together cover all of them.
    /// Algorithm: one <see cref="Random"/> seeded with <paramref name="seed"/>; for each class in ascending label
    /// order, its indices (ascending) are Fisher–Yates shuffled and the first round(fraction·count) (midpoint away
    /// from zero) go to the first part, the rest to the second; then the first part and then the second part are
    /// Fisher–Yates shuffled with the same generator. The result is therefore in a seed-determined random order,
    /// not sorted, and is the same for the same labels and seed.
    /// </summary>
    public static (int[] First, int[] Second) Split(int[] labels, double firstFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (!(firstFraction >= 0 && firstFraction <= 1))
            throw new GlassboxException($"The split fraction must be between 0 and 1, got {firstFraction}.");
        var random = new Random(seed);
        var first = new List<int>();
        var second = new List<int>();
        var byClass = Enumerable.Range(0, labels.Length).GroupBy(i => labels[i]).OrderBy(g => g.Key);
        foreach (var group in byClass)
        {
            int[] indices = group.ToArray();
            Shuffle(indices, random);
            int take = (int)Math.Round(firstFraction * indices.Length, MidpointRounding.AwayFromZero);
            first.AddRange(indices.AsSpan(0, take));
            second.AddRange(indices.AsSpan(take));
        }
        int[] a = first.ToArray(), b = second.ToArray();
        Shuffle(a, random);
        Shuffle(b, random);
        return (a, b);
    }

    private static void Shuffle(int[] items, Random random)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}

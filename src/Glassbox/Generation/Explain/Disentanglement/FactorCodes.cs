namespace Glassbox.Generation.Explain.Disentanglement;

/// <summary>
/// Codes of a representation (N×D, e.g. a VAE's posterior means) aligned with the ground-truth factor value indices
/// (N×K) of the same observations — the input of every disentanglement score. The observations stand for the data
/// set's factor distribution: the scores sample them with replacement where disentanglement_lib samples factors from
/// the ground-truth generator (identical when the rows are the full grid of factor combinations, as in
/// <c>FactorSprites</c>), and a batch "with factor k fixed" is drawn from the rows that share k's value.
/// </summary>
public sealed class FactorCodes
{
    private readonly double[] codes;
    private readonly int[] factors;
    private readonly int[][][] rowsByValue;

    /// <summary>Checks and wraps the arrays (row-major; neither is copied).</summary>
    /// <param name="codes">N×D codes.</param>
    /// <param name="codeSize">D.</param>
    /// <param name="factors">N×K factor value indices (0 or more).</param>
    /// <param name="factorCount">K.</param>
    /// <param name="factorNames">Optional names of the K factors (for messages and tables).</param>
    public FactorCodes(double[] codes, int codeSize, int[] factors, int factorCount, IReadOnlyList<string>? factorNames = null)
    {
        if (codeSize < 1) throw new GlassboxException($"A representation needs at least one code dimension, not {codeSize}.");
        if (factorCount < 1) throw new GlassboxException($"Disentanglement needs at least one ground-truth factor, not {factorCount}.");
        if (codes.Length % codeSize != 0 || factors.Length % factorCount != 0 || codes.Length / codeSize != factors.Length / factorCount)
            throw new GlassboxException($"{codes.Length / codeSize} codes of size {codeSize} are not aligned with {factors.Length / factorCount} factor rows of size {factorCount}; give one factor row per code.");
        Count = codes.Length / codeSize;
        if (Count < 2) throw new GlassboxException($"Disentanglement scores need at least 2 observations, not {Count}.");
        if (factorNames is not null && factorNames.Count != factorCount)
            throw new GlassboxException($"{factorNames.Count} factor names for {factorCount} factors.");
        foreach (double v in codes)
            if (!double.IsFinite(v)) throw new GlassboxException("The codes contain NaN or infinity; the representation is broken (check the checkpoint).");
        foreach (int f in factors)
            if (f < 0) throw new GlassboxException($"Factor value indices must be 0 or more, not {f}.");
        this.codes = codes;
        this.factors = factors;
        CodeSize = codeSize;
        FactorCount = factorCount;
        FactorNames = factorNames ?? Enumerable.Range(0, factorCount).Select(k => $"factor {k}").ToArray();
        FactorSizes = Enumerable.Range(0, factorCount).Select(k => Enumerable.Range(0, Count).Max(i => factors[i * factorCount + k]) + 1).ToArray();
        rowsByValue = new int[factorCount][][];
        for (int k = 0; k < factorCount; k++)
        {
            var lists = Enumerable.Range(0, FactorSizes[k]).Select(_ => new List<int>()).ToArray();
            for (int i = 0; i < Count; i++) lists[factors[i * factorCount + k]].Add(i);
            rowsByValue[k] = lists.Select(l => l.ToArray()).ToArray();
        }
    }

    /// <summary>N, the number of observations.</summary>
    public int Count { get; }
    /// <summary>D, the code dimensions.</summary>
    public int CodeSize { get; }
    /// <summary>K, the ground-truth factors.</summary>
    public int FactorCount { get; }
    /// <summary>The factors' names.</summary>
    public IReadOnlyList<string> FactorNames { get; }
    /// <summary>1 + the largest value index of each factor.</summary>
    public IReadOnlyList<int> FactorSizes { get; }

    /// <summary>Code dimension <paramref name="d"/> of observation <paramref name="row"/>.</summary>
    public double Code(int row, int d) => codes[row * CodeSize + d];

    /// <summary>Factor <paramref name="k"/>'s value index for observation <paramref name="row"/>.</summary>
    public int Factor(int row, int k) => factors[row * FactorCount + k];

    /// <summary>The rows whose factor <paramref name="k"/> takes value <paramref name="value"/>.</summary>
    public IReadOnlyList<int> RowsWith(int k, int value) => rowsByValue[k][value];

    /// <summary><paramref name="n"/> rows drawn uniformly with replacement.</summary>
    public int[] Sample(int n, Random random)
    {
        var rows = new int[n];
        for (int i = 0; i < n; i++) rows[i] = random.Next(Count);
        return rows;
    }

    /// <summary>The codes of <paramref name="rows"/> as D arrays of length |rows| (code-major, as disentanglement_lib's mus).</summary>
    public double[][] CodesOf(IReadOnlyList<int> rows)
        => Enumerable.Range(0, CodeSize).Select(d => rows.Select(r => Code(r, d)).ToArray()).ToArray();

    /// <summary>The factor values of <paramref name="rows"/> as K arrays of length |rows|.</summary>
    public int[][] FactorsOf(IReadOnlyList<int> rows)
        => Enumerable.Range(0, FactorCount).Select(k => rows.Select(r => Factor(r, k)).ToArray()).ToArray();
}

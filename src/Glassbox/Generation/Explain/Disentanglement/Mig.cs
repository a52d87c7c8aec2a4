namespace Glassbox.Generation.Explain.Disentanglement;

/// <summary>Settings of <see cref="Mig"/>, disentanglement_lib's defaults (unsupervised study, <c>mig.gin</c>).</summary>
/// <param name="TrainCount">Observations sampled (with replacement) to estimate the mutual information.</param>
/// <param name="Bins">Equal-width histogram bins each code dimension is discretised into.</param>
/// <param name="Seed">Seeds the sample.</param>
public sealed record MigOptions(int TrainCount = 10_000, int Bins = 20, int Seed = 0);

/// <summary>The mutual information gap of a representation.</summary>
/// <param name="Score">Mean over factors of the normalised gap.</param>
/// <param name="PerFactor">(I(z_best; v_k) − I(z_second; v_k)) / H(v_k) for each factor.</param>
/// <param name="MutualInformation">D×K matrix I(z_d; v_k) in nats (code-major).</param>
/// <param name="FactorEntropy">H(v_k) in nats.</param>
/// <param name="Options">The settings used.</param>
public sealed record MigResult(double Score, double[] PerFactor, double[][] MutualInformation, double[] FactorEntropy, MigOptions Options);

/// <summary>
/// Mutual Information Gap (Chen et al. 2018, "Isolating Sources of Disentanglement in VAEs"), computed as in
/// disentanglement_lib: each code dimension is discretised into equal-width histogram bins, I(z_d; v_k) is the plug-in
/// discrete mutual information, and for each factor the gap between the two most informative dimensions is divided
/// by the factor's entropy; the score is the mean over factors. 1 = each factor captured by exactly one dimension.
/// </summary>
public static class Mig
{
    /// <summary>Computes MIG on <paramref name="data"/>.</summary>
    public static MigResult Compute(FactorCodes data, MigOptions? options = null)
    {
        var o = options ?? new MigOptions();
        if (o.TrainCount < 2) throw new GlassboxException($"MIG needs at least 2 sampled observations, not {o.TrainCount}.");
        if (o.Bins < 2) throw new GlassboxException($"MIG discretises codes into at least 2 bins, not {o.Bins}.");
        if (data.CodeSize < 2) throw new GlassboxException("MIG compares the two most informative code dimensions: the representation needs at least 2.");
        var rows = data.Sample(o.TrainCount, new Random(o.Seed));
        var codes = data.CodesOf(rows);
        var factors = data.FactorsOf(rows);
        var discrete = codes.Select(c => MutualInformation.HistogramDiscretize(c, o.Bins)).ToArray();
        var mi = discrete.Select(z => factors.Select(v => MutualInformation.Discrete(z, v)).ToArray()).ToArray();
        var entropy = factors.Select(MutualInformation.Entropy).ToArray();
        var perFactor = new double[data.FactorCount];
        for (int k = 0; k < data.FactorCount; k++)
        {
            if (entropy[k] <= 0)
                throw new GlassboxException($"Factor '{data.FactorNames[k]}' takes one value in the sample: MIG normalises by its entropy, so every factor must vary.");
            var sorted = mi.Select(row => row[k]).OrderByDescending(v => v).ToArray();
            perFactor[k] = (sorted[0] - sorted[1]) / entropy[k];
        }
        return new MigResult(perFactor.Average(), perFactor, mi, entropy, o);
    }
}

namespace Glassbox.Generation.Explain.Disentanglement;

/// <summary>
/// Settings of <see cref="Sap"/>. Sizes are disentanglement_lib's (<c>sap_score.gin</c>: 10,000 train, 5,000 test).
/// </summary>
/// <param name="TrainCount">Observations sampled (with replacement) to fit the per-(code, factor) scores.</param>
/// <param name="TestCount">Further observations on which discrete factors' classifiers are scored.</param>
/// <param name="Continuous">Per factor, true = score by R² of a linear fit (the library's <c>continuous_factors=True</c>),
/// false = by a one-feature linear SVM's test accuracy (<c>False</c>); null = every factor discrete, the library's study setting.</param>
/// <param name="C">The SVM's penalty weight (the library's 0.01).</param>
/// <param name="Seed">Seeds the samples.</param>
public sealed record SapOptions(int TrainCount = 10_000, int TestCount = 5_000, IReadOnlyList<bool>? Continuous = null, double C = 0.01, int Seed = 0);

/// <summary>The SAP score of a representation.</summary>
/// <param name="Score">Mean over factors of the gap between the two best-predicting code dimensions.</param>
/// <param name="PerFactor">The gap of each factor.</param>
/// <param name="ScoreMatrix">D×K prediction scores (R² or accuracy), code-major.</param>
/// <param name="Options">The settings used.</param>
public sealed record SapResult(double Score, double[] PerFactor, double[][] ScoreMatrix, SapOptions Options);

/// <summary>
/// Separated Attribute Predictability (Kumar, Sattigeri &amp; Balakrishnan 2018), as disentanglement_lib computes it:
/// a D×K matrix scores how well each single code dimension predicts each factor — R² = cov²/(var_z·var_v) of the
/// linear fit for a continuous factor (0 for a constant dimension), the test accuracy of a one-feature linear SVM
/// (<see cref="LinearSvc1D"/>) for a discrete one — and the score is the mean over factors of the gap between the
/// two highest entries of the factor's column. With accuracies the gap is bounded by one minus the chance level.
/// </summary>
public static class Sap
{
    /// <summary>Computes SAP on <paramref name="data"/>.</summary>
    public static SapResult Compute(FactorCodes data, SapOptions? options = null)
    {
        var o = options ?? new SapOptions();
        if (o.TrainCount < 2 || o.TestCount < 1) throw new GlassboxException($"SAP needs at least 2 training and 1 test observation, not {o.TrainCount} and {o.TestCount}.");
        if (!(o.C > 0 && double.IsFinite(o.C))) throw new GlassboxException($"SAP's SVM penalty C must be a positive number, not {o.C}.");
        if (o.Continuous is { } flags && flags.Count != data.FactorCount)
            throw new GlassboxException($"SAP was told whether {flags.Count} factors are continuous, but the data has {data.FactorCount}.");
        if (data.CodeSize < 2) throw new GlassboxException("SAP compares the two best code dimensions: the representation needs at least 2.");
        var random = new Random(o.Seed);
        var train = data.Sample(o.TrainCount, random);
        var test = data.Sample(o.TestCount, random);
        var z = data.CodesOf(train);
        var v = data.FactorsOf(train);
        var zTest = data.CodesOf(test);
        var vTest = data.FactorsOf(test);
        var matrix = Enumerable.Range(0, data.CodeSize).Select(_ => new double[data.FactorCount]).ToArray();
        for (int d = 0; d < data.CodeSize; d++)
            for (int k = 0; k < data.FactorCount; k++)
                matrix[d][k] = o.Continuous?[k] == true
                    ? RSquared(z[d], v[k])
                    : Accuracy(new LinearSvc1D(z[d], v[k], o.C).Predict(zTest[d]), vTest[k]);
        var perFactor = Enumerable.Range(0, data.FactorCount).Select(k =>
        {
            var sorted = matrix.Select(row => row[k]).OrderByDescending(s => s).ToArray();
            return sorted[0] - sorted[1];
        }).ToArray();
        return new SapResult(perFactor.Average(), perFactor, matrix, o);
    }

    /// <summary>cov(z, v)² / (var z · var v) with ddof 1; 0 when var z ≤ 1e-12 (the library's guard).</summary>
    public static double RSquared(IReadOnlyList<double> z, IReadOnlyList<int> v)
    {
        int n = z.Count;
        double mz = z.Average(), mv = v.Average();
        double szz = 0, svv = 0, szv = 0;
        for (int i = 0; i < n; i++)
        {
            double a = z[i] - mz, b = v[i] - mv;
            szz += a * a;
            svv += b * b;
            szv += a * b;
        }
        double varZ = szz / (n - 1), varV = svv / (n - 1), cov = szv / (n - 1);
        return varZ > 1e-12 && varV > 0 ? cov * cov / (varZ * varV) : 0;
    }

    private static double Accuracy(int[] predicted, int[] truth)
        => predicted.Zip(truth).Count(t => t.First == t.Second) / (double)truth.Length;
}

using Glassbox.Attribution;

namespace Glassbox.Metrics.Agreement;

/// <summary>Settings for <see cref="ModelAgreement"/>.</summary>
/// <param name="TopFraction">Share of the pixels that counts as a map's top for the overlap (as <see cref="TopFractionOverlapOptions.Fraction"/>).</param>
/// <param name="Absolute">Compare |φ| instead of φ (importance regardless of sign).</param>
public sealed record ModelAgreementOptions(double TopFraction = 0.1, bool Absolute = false);

/// <summary>A k×k matrix of mean per-map agreement between k explanations, with statistics over its k(k−1)/2 distinct pairs.</summary>
/// <param name="Values">[i][j]: mean over maps of the agreement of explanation i with explanation j (maps scoring NaN, e.g. constant maps, are left out); the diagonal is 1.</param>
/// <param name="Mean">Mean over the pairs i &lt; j.</param>
/// <param name="Std">Population standard deviation over the pairs.</param>
/// <param name="Min">Smallest pair: the two least agreeing explanations.</param>
public sealed record AgreementMatrix(double[][] Values, double Mean, double Std, double Min);

/// <summary>How much k explanations of the same inputs and targets by one method agree.</summary>
/// <param name="Method">The method's name.</param>
/// <param name="Count">k, the explanations compared.</param>
/// <param name="Spearman">Spearman's ρ between maps (Spearman 1904).</param>
/// <param name="TopOverlap">Share of the top pixels that two maps have in common.</param>
/// <param name="Options">The settings.</param>
public sealed record ModelAgreementResult(string Method, int Count, AgreementMatrix Spearman, AgreementMatrix TopOverlap, ModelAgreementOptions Options);

/// <summary>
/// Agreement across models: the reference workflow's retrain-and-compare generalised to k models. Given k
/// explanations of the same inputs and targets by one method — from k models trained on different splits or seeds —
/// it scores every pair map by map with Spearman's rank correlation and top-fraction overlap, and reports the k×k
/// matrices with the mean, spread (standard deviation) and worst pair. An explanation that the data or the seed can
/// change much says more about the training run than about the task.
/// </summary>
public sealed class ModelAgreement(ModelAgreementOptions? options = null)
{
    /// <summary>The settings.</summary>
    public ModelAgreementOptions Options { get; } = options ?? new ModelAgreementOptions();

    /// <summary>The agreement of <paramref name="explanations"/> (k ≥ 2, one method, the same inputs and targets).</summary>
    public ModelAgreementResult Compare(IReadOnlyList<Explanation> explanations, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(explanations);
        if (explanations.Count < 2)
            throw new GlassboxException($"Agreement across models needs explanations from at least 2 models, but {explanations.Count} was given.");
        var methods = explanations.Select(e => e.Method).Distinct().ToArray();
        if (methods.Length > 1)
            throw new GlassboxException($"Agreement across models compares one method's explanations, but these come from {string.Join(", ", methods)}; group them by method.");
        var spearman = new SpearmanRankCorrelation(new SpearmanRankCorrelationOptions(Options.Absolute));
        var overlap = new TopFractionOverlap(new TopFractionOverlapOptions(Options.TopFraction, Options.Absolute));
        return new ModelAgreementResult(methods[0], explanations.Count,
            Matrix(explanations, (a, b) => spearman.Evaluate(a, b, cancel).Mean),
            Matrix(explanations, (a, b) => overlap.Evaluate(a, b, cancel).Mean),
            Options);
    }

    /// <summary>The agreement of each method's explanations, keyed by method (each list: one explanation per model, models in the same order).</summary>
    public IReadOnlyList<ModelAgreementResult> Compare(IEnumerable<IReadOnlyList<Explanation>> byMethod, CancellationToken cancel = default)
        => byMethod.Select(list => Compare(list, cancel)).ToList();

    private static AgreementMatrix Matrix(IReadOnlyList<Explanation> e, Func<Explanation, Explanation, double> score)
    {
        int k = e.Count;
        var values = Enumerable.Range(0, k).Select(_ => new double[k]).ToArray();
        var pairs = new List<double>();
        for (int i = 0; i < k; i++)
        {
            values[i][i] = 1;
            for (int j = i + 1; j < k; j++)
            {
                double s = score(e[i], e[j]);
                values[i][j] = values[j][i] = s;
                pairs.Add(s);
            }
        }
        var finite = pairs.Where(double.IsFinite).ToArray();
        if (finite.Length == 0) return new AgreementMatrix(values, double.NaN, double.NaN, double.NaN);
        double mean = finite.Average();
        double std = Math.Sqrt(finite.Sum(v => (v - mean) * (v - mean)) / finite.Length);
        return new AgreementMatrix(values, mean, std, finite.Min());
    }
}

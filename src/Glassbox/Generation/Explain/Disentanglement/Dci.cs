namespace Glassbox.Generation.Explain.Disentanglement;

/// <summary>
/// Settings of <see cref="Dci"/>. Sizes are disentanglement_lib's (<c>dci.gin</c>: 10,000 train, 5,000 test); the
/// regressor is a random forest (Eastwood &amp; Williams 2018 used lasso and random forests) where disentanglement_lib
/// uses scikit-learn's gradient boosted trees.
/// </summary>
/// <param name="TrainCount">Observations sampled (with replacement) to fit the per-factor classifiers.</param>
/// <param name="TestCount">Further observations sampled to measure their accuracy.</param>
/// <param name="Trees">Trees per forest.</param>
/// <param name="MaxDepth">Deepest split of every tree.</param>
/// <param name="Bins">Quantile thresholds per code dimension the trees may split at (at most Bins − 1).</param>
/// <param name="MinLeaf">Fewest observations in a leaf.</param>
/// <param name="Seed">Seeds the samples and the bootstrap.</param>
public sealed record DciOptions(int TrainCount = 10_000, int TestCount = 5_000, int Trees = 20, int MaxDepth = 8, int Bins = 64, int MinLeaf = 1, int Seed = 0);

/// <summary>The DCI scores of a representation.</summary>
/// <param name="Disentanglement">Σ_d ρ_d (1 − H_K(P_d·)): each code dimension's importance concentrated on one factor.</param>
/// <param name="Completeness">Σ_k ρ_k (1 − H_D(P_·k)): each factor captured by one code dimension.</param>
/// <param name="InformativenessTrain">Mean training accuracy of the per-factor classifiers.</param>
/// <param name="InformativenessTest">Mean test accuracy of the per-factor classifiers (the "I" of DCI here).</param>
/// <param name="Importance">D×K importance matrix R (code-major), each column the forest's importances for factor k.</param>
/// <param name="Options">The settings used.</param>
public sealed record DciResult(double Disentanglement, double Completeness, double InformativenessTrain, double InformativenessTest, double[][] Importance, DciOptions Options);

/// <summary>
/// Disentanglement, Completeness and Informativeness (Eastwood &amp; Williams 2018), as disentanglement_lib computes
/// them: for each factor a classifier predicts its value from the whole code, its feature importances fill column k
/// of R (D×K); disentanglement weights 1 − entropy (base K) of each row by the row's share of the total importance,
/// completeness weights 1 − entropy (base D) of each column likewise, informativeness is the classifiers' accuracy.
/// The classifier is a <see cref="RandomForestClassifier"/> with mean-decrease-in-impurity importances (the library
/// uses gradient boosted trees, whose importances are the same impurity decreases summed over boosting rounds).
/// </summary>
public static class Dci
{
    /// <summary>Computes DCI on <paramref name="data"/>.</summary>
    public static DciResult Compute(FactorCodes data, DciOptions? options = null)
    {
        var o = options ?? new DciOptions();
        if (o.TrainCount < 2 || o.TestCount < 1) throw new GlassboxException($"DCI needs at least 2 training and 1 test observation, not {o.TrainCount} and {o.TestCount}.");
        if (o.Trees < 1 || o.MaxDepth < 1 || o.Bins < 2 || o.MinLeaf < 1)
            throw new GlassboxException($"DCI's forest needs ≥ 1 tree, depth ≥ 1, ≥ 2 bins and leaves of ≥ 1 observation, not {o.Trees}, {o.MaxDepth}, {o.Bins}, {o.MinLeaf}.");
        var random = new Random(o.Seed);
        var train = data.Sample(o.TrainCount, random);
        var test = data.Sample(o.TestCount, random);
        var xTrain = data.CodesOf(train);
        var xTest = data.CodesOf(test);
        var yTrain = data.FactorsOf(train);
        var yTest = data.FactorsOf(test);
        var importance = Enumerable.Range(0, data.CodeSize).Select(_ => new double[data.FactorCount]).ToArray();
        double trainAccuracy = 0, testAccuracy = 0;
        for (int k = 0; k < data.FactorCount; k++)
        {
            var forest = new RandomForestClassifier(xTrain, yTrain[k], o.Trees, o.MaxDepth, o.Bins, o.MinLeaf, random.Next());
            for (int d = 0; d < data.CodeSize; d++) importance[d][k] = Math.Abs(forest.Importances[d]);
            trainAccuracy += Accuracy(forest.Predict(xTrain), yTrain[k]) / data.FactorCount;
            testAccuracy += Accuracy(forest.Predict(xTest), yTest[k]) / data.FactorCount;
        }
        return new DciResult(Disentanglement(importance), Completeness(importance), trainAccuracy, testAccuracy, importance, o);
    }

    /// <summary>Σ_d ρ_d (1 − H_K(P_d)) of a D×K importance matrix (rows = code dimensions); ρ uniform when R is all zero.</summary>
    public static double Disentanglement(double[][] importance)
    {
        int d = importance.Length, k = importance[0].Length;
        double total = importance.Sum(r => r.Sum());
        double score = 0;
        for (int i = 0; i < d; i++)
        {
            double weight = total == 0 ? 1.0 / d : importance[i].Sum() / total;
            score += weight * (1 - NormalisedEntropy(importance[i], k));
        }
        return score;
    }

    /// <summary>Σ_k ρ_k (1 − H_D(P_k)) of a D×K importance matrix (columns = factors); ρ uniform when R is all zero.</summary>
    public static double Completeness(double[][] importance)
    {
        int d = importance.Length, k = importance[0].Length;
        double total = importance.Sum(r => r.Sum());
        double score = 0;
        for (int j = 0; j < k; j++)
        {
            var column = importance.Select(r => r[j]).ToArray();
            double weight = total == 0 ? 1.0 / k : column.Sum() / total;
            score += weight * (1 - NormalisedEntropy(column, d));
        }
        return score;
    }

    // Entropy in base `baseCount` of the distribution proportional to p + 1e-11 (scipy.stats.entropy with the library's offset).
    private static double NormalisedEntropy(double[] p, int baseCount)
    {
        if (baseCount < 2) return 0;
        double sum = p.Sum(v => v + 1e-11), h = 0;
        foreach (double v in p)
        {
            double q = (v + 1e-11) / sum;
            h -= q * Math.Log(q);
        }
        return h / Math.Log(baseCount);
    }

    private static double Accuracy(int[] predicted, int[] truth)
        => predicted.Zip(truth).Count(t => t.First == t.Second) / (double)truth.Length;
}

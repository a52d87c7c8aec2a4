namespace Glassbox.Generation.Explain.Disentanglement;

/// <summary>
/// A random forest of <see cref="DecisionTree"/>s (Breiman 2001) grown on bootstrap samples, every split considering
/// every feature (bagging, as scikit-learn's <c>max_features=None</c>); features are binned once at up to
/// <c>bins</c> quantile thresholds of the training values (as histogram gradient boosting does). Predicts the class
/// with the highest mean leaf probability; feature importances are the mean decrease in Gini impurity, normalised
/// per tree to sum to 1 and averaged (scikit-learn's <c>feature_importances_</c>).
/// </summary>
internal sealed class RandomForestClassifier
{
    private readonly List<DecisionTree> trees = [];
    private readonly double[][] thresholds;
    private readonly int classes;

    /// <summary>Fits the forest to <paramref name="x"/> (D feature arrays of length n) and labels <paramref name="y"/>.</summary>
    public RandomForestClassifier(double[][] x, int[] y, int treeCount, int maxDepth, int bins, int minLeaf, int seed)
    {
        int n = y.Length;
        classes = y.Max() + 1;
        thresholds = x.Select(column => Thresholds(column, bins)).ToArray();
        var binned = Bin(x);
        var binCounts = thresholds.Select(t => t.Length + 1).ToArray();
        var random = new Random(seed);
        Importances = new double[x.Length];
        for (int t = 0; t < treeCount; t++)
        {
            var rows = new int[n];
            for (int i = 0; i < n; i++) rows[i] = random.Next(n);
            var tree = new DecisionTree(binned, binCounts, y, classes, rows, maxDepth, minLeaf);
            trees.Add(tree);
            double total = tree.Importances.Sum();
            if (total > 0)
                for (int f = 0; f < x.Length; f++) Importances[f] += tree.Importances[f] / total / treeCount;
        }
        double sum = Importances.Sum();
        if (sum > 0) for (int f = 0; f < x.Length; f++) Importances[f] /= sum;
    }

    /// <summary>Mean decrease in impurity of each feature (sums to 1 unless no tree split).</summary>
    public double[] Importances { get; }

    /// <summary>The predicted class of each of the n points of <paramref name="x"/> (D arrays of length n).</summary>
    public int[] Predict(double[][] x)
    {
        var binned = Bin(x);
        int n = x[0].Length;
        var predictions = new int[n];
        var mean = new double[classes];
        for (int i = 0; i < n; i++)
        {
            Array.Clear(mean);
            foreach (var tree in trees)
            {
                var p = tree.Probabilities(binned, i);
                for (int c = 0; c < classes; c++) mean[c] += p[c];
            }
            int best = 0;
            for (int c = 1; c < classes; c++) if (mean[c] > mean[best]) best = c;
            predictions[i] = best;
        }
        return predictions;
    }

    private int[][] Bin(double[][] x)
    {
        if (x.Length != thresholds.Length) throw new GlassboxException($"The forest was fitted on {thresholds.Length} features, not {x.Length}.");
        return x.Select((column, f) => column.Select(v => Count(thresholds[f], v)).ToArray()).ToArray();
    }

    // Bin index = the number of thresholds strictly below v.
    private static int Count(double[] t, double v)
    {
        int lo = 0, hi = t.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (t[mid] < v) lo = mid + 1; else hi = mid;
        }
        return lo;
    }

    private static double[] Thresholds(double[] column, int bins)
    {
        var sorted = (double[])column.Clone();
        Array.Sort(sorted);
        var t = new SortedSet<double>();
        for (int j = 1; j < bins; j++) t.Add(sorted[(int)((long)j * (sorted.Length - 1) / bins)]);
        t.Remove(sorted[^1]);
        return t.ToArray();
    }
}

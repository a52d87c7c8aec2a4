namespace Glassbox.Generation.Explain.Disentanglement;

/// <summary>
/// A CART classification tree (Breiman et al. 1984) on pre-binned features: each split is "bin ≤ b" of one feature,
/// chosen to maximise the decrease of Gini impurity; grown until a node is pure, <c>maxDepth</c> is reached or a split
/// would leave fewer than <c>minLeaf</c> rows on a side. Records each feature's total impurity decrease weighted by
/// the rows reaching the node (the mean-decrease-in-impurity importance).
/// </summary>
internal sealed class DecisionTree
{
    private readonly List<Node> nodes = [];
    private readonly int classes;

    private sealed record Node(int Feature, int Bin, int Left, int Right, double[]? Probabilities);

    /// <summary>Grows a tree on the rows <paramref name="rows"/> (may repeat: a bootstrap sample).</summary>
    /// <param name="bins">D arrays of bin indices (one per row of the data).</param>
    /// <param name="binCounts">Number of bins of each feature.</param>
    /// <param name="labels">Class of each row, 0..<paramref name="classes"/>−1.</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="rows">The rows to grow on.</param>
    /// <param name="maxDepth">Deepest split level.</param>
    /// <param name="minLeaf">Fewest rows on either side of a split.</param>
    public DecisionTree(int[][] bins, int[] binCounts, int[] labels, int classes, int[] rows, int maxDepth, int minLeaf)
    {
        this.classes = classes;
        Importances = new double[bins.Length];
        Grow(bins, binCounts, labels, rows, 0, maxDepth, minLeaf);
    }

    /// <summary>Unnormalised impurity decrease of each feature.</summary>
    public double[] Importances { get; }

    /// <summary>The class distribution of the leaf reached by row <paramref name="row"/> of <paramref name="bins"/>.</summary>
    public double[] Probabilities(int[][] bins, int row)
    {
        var node = nodes[0];
        while (node.Probabilities is null)
            node = nodes[bins[node.Feature][row] <= node.Bin ? node.Left : node.Right];
        return node.Probabilities;
    }

    private int Grow(int[][] bins, int[] binCounts, int[] labels, int[] rows, int depth, int maxDepth, int minLeaf)
    {
        var counts = new double[classes];
        foreach (int r in rows) counts[labels[r]]++;
        int n = rows.Length;
        double gini = Gini(counts, n);
        int id = nodes.Count;
        nodes.Add(null!);
        int bestFeature = -1, bestBin = -1;
        double bestDecrease = 1e-12;
        if (depth < maxDepth && gini > 0 && n >= 2 * minLeaf)
        {
            for (int f = 0; f < bins.Length; f++)
            {
                int b = binCounts[f];
                if (b < 2) continue;
                var hist = new double[b * classes];
                var column = bins[f];
                foreach (int r in rows) hist[column[r] * classes + labels[r]]++;
                var left = new double[classes];
                double nLeft = 0;
                for (int cut = 0; cut < b - 1; cut++)
                {
                    for (int c = 0; c < classes; c++) { left[c] += hist[cut * classes + c]; nLeft += hist[cut * classes + c]; }
                    double nRight = n - nLeft;
                    if (nLeft < minLeaf || nRight < minLeaf) continue;
                    double giniLeft = 1, giniRight = 1;
                    for (int c = 0; c < classes; c++)
                    {
                        double pl = left[c] / nLeft, pr = (counts[c] - left[c]) / nRight;
                        giniLeft -= pl * pl;
                        giniRight -= pr * pr;
                    }
                    double decrease = n * gini - nLeft * giniLeft - nRight * giniRight;
                    if (decrease > bestDecrease) { bestDecrease = decrease; bestFeature = f; bestBin = cut; }
                }
            }
        }
        if (bestFeature < 0)
        {
            nodes[id] = new Node(-1, -1, -1, -1, counts.Select(c => c / n).ToArray());
            return id;
        }
        Importances[bestFeature] += bestDecrease;
        var split = bins[bestFeature];
        var leftRows = rows.Where(r => split[r] <= bestBin).ToArray();
        var rightRows = rows.Where(r => split[r] > bestBin).ToArray();
        int l = Grow(bins, binCounts, labels, leftRows, depth + 1, maxDepth, minLeaf);
        int rr = Grow(bins, binCounts, labels, rightRows, depth + 1, maxDepth, minLeaf);
        nodes[id] = new Node(bestFeature, bestBin, l, rr, null);
        return id;
    }

    private static double Gini(double[] counts, int n)
    {
        double g = 1;
        foreach (double c in counts) g -= (c / n) * (c / n);
        return g;
    }
}

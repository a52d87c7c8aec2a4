namespace Glassbox.Generation.Explain.Disentanglement;

/// <summary>Settings of <see cref="FactorVaeScore"/>, disentanglement_lib's defaults (<c>factor_vae_metric.gin</c>).</summary>
/// <param name="BatchSize">Observations per vote, all sharing the value of one factor.</param>
/// <param name="TrainCount">Votes that train the majority-vote classifier.</param>
/// <param name="EvalCount">Votes it is evaluated on.</param>
/// <param name="VarianceCount">Observations sampled to estimate each code dimension's global variance.</param>
/// <param name="PruneThreshold">Code dimensions whose global standard deviation is below this are inactive (collapsed to the prior) and never vote.</param>
/// <param name="Seed">Seeds every draw.</param>
public sealed record FactorVaeScoreOptions(int BatchSize = 64, int TrainCount = 10_000, int EvalCount = 5_000, int VarianceCount = 10_000, double PruneThreshold = 0.05, int Seed = 0);

/// <summary>The FactorVAE score of a representation.</summary>
/// <param name="TrainAccuracy">Accuracy of the majority-vote classifier on its training votes.</param>
/// <param name="EvalAccuracy">Its accuracy on fresh votes (the score).</param>
/// <param name="ActiveDimensions">Code dimensions that passed the prune threshold.</param>
/// <param name="Votes">A×K training votes: how often active dimension a had the smallest normalised variance when factor k was fixed.</param>
/// <param name="Options">The settings used.</param>
public sealed record FactorVaeScoreResult(double TrainAccuracy, double EvalAccuracy, int ActiveDimensions, int[][] Votes, FactorVaeScoreOptions Options);

/// <summary>
/// The disentanglement metric of Kim &amp; Mnih (2018, "Disentangling by Factorising"), as disentanglement_lib
/// computes it: each code dimension is divided by its global variance; a vote fixes one factor (chosen uniformly) at
/// the value of a random observation, draws a batch of observations sharing that value, and pairs the factor with the
/// active dimension of least normalised variance (sample variance, ddof 1); a majority-vote classifier maps each
/// dimension to the factor it most often pairs with, and the score is its accuracy on fresh votes.
/// </summary>
public static class FactorVaeScore
{
    /// <summary>Computes the score on <paramref name="data"/>.</summary>
    public static FactorVaeScoreResult Compute(FactorCodes data, FactorVaeScoreOptions? options = null)
    {
        var o = options ?? new FactorVaeScoreOptions();
        if (o.BatchSize < 2 || o.TrainCount < 1 || o.EvalCount < 1 || o.VarianceCount < 2)
            throw new GlassboxException($"The FactorVAE score needs batches of ≥ 2, ≥ 1 training and evaluation vote and ≥ 2 observations for the variances, not {o.BatchSize}, {o.TrainCount}, {o.EvalCount}, {o.VarianceCount}.");
        if (!(o.PruneThreshold >= 0)) throw new GlassboxException($"The prune threshold must be 0 or more, not {o.PruneThreshold}.");
        var random = new Random(o.Seed);
        var global = Variances(data, data.Sample(o.VarianceCount, random));
        var active = Enumerable.Range(0, data.CodeSize).Where(d => global[d] > 0 && Math.Sqrt(global[d]) >= o.PruneThreshold).ToArray();
        if (active.Length == 0)
            return new FactorVaeScoreResult(0, 0, 0, [], o);
        var train = Votes(data, o, random, global, active, o.TrainCount);
        var classifier = train.Select(row => Array.IndexOf(row, row.Max())).ToArray();
        var eval = Votes(data, o, random, global, active, o.EvalCount);
        return new FactorVaeScoreResult(Accuracy(train, classifier), Accuracy(eval, classifier), active.Length, train, o);
    }

    private static int[][] Votes(FactorCodes data, FactorVaeScoreOptions o, Random random, double[] global, int[] active, int count)
    {
        var votes = active.Select(_ => new int[data.FactorCount]).ToArray();
        var batch = new int[o.BatchSize];
        for (int v = 0; v < count; v++)
        {
            int k = random.Next(data.FactorCount);
            int value = data.Factor(random.Next(data.Count), k);
            var rows = data.RowsWith(k, value);
            for (int i = 0; i < batch.Length; i++) batch[i] = rows[random.Next(rows.Count)];
            var local = Variances(data, batch);
            int best = 0;
            for (int a = 1; a < active.Length; a++)
                if (local[active[a]] / global[active[a]] < local[active[best]] / global[active[best]]) best = a;
            votes[best][k]++;
        }
        return votes;
    }

    private static double Accuracy(int[][] votes, int[] classifier)
    {
        double right = 0, total = 0;
        for (int a = 0; a < votes.Length; a++)
        {
            right += votes[a][classifier[a]];
            total += votes[a].Sum();
        }
        return total == 0 ? 0 : right / total;
    }

    private static double[] Variances(FactorCodes data, IReadOnlyList<int> rows)
    {
        var result = new double[data.CodeSize];
        for (int d = 0; d < data.CodeSize; d++)
        {
            double mean = 0;
            foreach (int r in rows) mean += data.Code(r, d);
            mean /= rows.Count;
            double s = 0;
            foreach (int r in rows) { double e = data.Code(r, d) - mean; s += e * e; }
            result[d] = s / (rows.Count - 1);
        }
        return result;
    }
}

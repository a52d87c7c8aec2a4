namespace Glassbox.Metrics.Faithfulness;

/// <summary>The per-map curves behind <see cref="Deletion"/>'s and <see cref="Insertion"/>'s scores (and the removal curves of the other faithfulness metrics).</summary>
/// <param name="Fractions">Share of features removed (or inserted) at each point, 0..1.</param>
/// <param name="Attribution">Explained output of every map [n·K+k] when removing features in attribution order.</param>
/// <param name="Random">The same in random order, or null when not compared.</param>
/// <param name="RandomAuc">Area under each random-order curve, or null.</param>
/// <param name="HigherIsBetter">True when a larger area means a more faithful order (insertion; deletion of the least relevant first).</param>
public sealed record DeletionCurves(double[] Fractions, double[][] Attribution, double[][]? Random, double[]? RandomAuc, bool HigherIsBetter = false)
{
    /// <summary>Share of maps whose attribution-order area beats (is below, or above when <see cref="HigherIsBetter"/>) their random-order area (NaN without random curves or maps).</summary>
    public double ShareFasterThanRandom
    {
        get
        {
            if (RandomAuc is null || Attribution.Length == 0) return double.NaN;
            int faster = 0;
            for (int i = 0; i < Attribution.Length; i++)
            {
                double area = Deletion.Auc(Fractions, Attribution[i]);
                if (HigherIsBetter ? area > RandomAuc[i] : area < RandomAuc[i]) faster++;
            }
            return (double)faster / Attribution.Length;
        }
    }
}

namespace Glassbox.Metrics.Faithfulness;

/// <summary>The per-map deletion curves behind <see cref="Deletion"/>'s scores.</summary>
/// <param name="Fractions">Share of pixels removed at each point, 0..1.</param>
/// <param name="Attribution">Explained output of every map [n·K+k] when removing pixels in order of decreasing attribution.</param>
/// <param name="Random">The same in random order, or null when not compared.</param>
/// <param name="RandomAuc">Area under each random-order curve, or null.</param>
public sealed record DeletionCurves(double[] Fractions, double[][] Attribution, double[][]? Random, double[]? RandomAuc)
{
    /// <summary>Share of maps whose attribution-order area is below their random-order area (NaN without random curves or maps).</summary>
    public double ShareFasterThanRandom
    {
        get
        {
            if (RandomAuc is null || Attribution.Length == 0) return double.NaN;
            int faster = 0;
            for (int i = 0; i < Attribution.Length; i++)
                if (Deletion.Auc(Fractions, Attribution[i]) < RandomAuc[i]) faster++;
            return (double)faster / Attribution.Length;
        }
    }
}

namespace Glassbox.Metrics.Faithfulness;

/// <summary>Mean deletion curves and their areas.</summary>
/// <param name="Fractions">Share of pixels removed at each point, 0..1.</param>
/// <param name="AttributionCurve">Mean class probability when removing pixels in order of decreasing attribution.</param>
/// <param name="RandomCurve">Mean class probability when removing pixels in random order.</param>
/// <param name="AttributionAuc">Area under the attribution-order curve (lower = more faithful).</param>
/// <param name="RandomAuc">Area under the random-order curve.</param>
/// <param name="ShareFasterThanRandom">Share of images whose attribution-order area is below their random-order area.</param>
/// <param name="Images">Images evaluated.</param>
public sealed record DeletionResult(double[] Fractions, double[] AttributionCurve, double[] RandomCurve,
    double AttributionAuc, double RandomAuc, double ShareFasterThanRandom, int Images)
{
    /// <summary>True when removing pixels by attribution drops the class score faster than random removal, on average.</summary>
    public bool BeatsRandom => AttributionAuc < RandomAuc;

    /// <summary>The mean curves of <paramref name="curves"/> (which must include the random-order curves).</summary>
    public static DeletionResult Of(DeletionCurves curves)
    {
        var random = curves.Random ?? throw new ArgumentException("Deletion curves without random-order curves cannot be compared with random.");
        var x = curves.Fractions;
        var meanAttr = Mean(curves.Attribution, x.Length);
        var meanRand = Mean(random, x.Length);
        return new DeletionResult(x, meanAttr, meanRand, Deletion.Auc(x, meanAttr), Deletion.Auc(x, meanRand),
            curves.ShareFasterThanRandom, curves.Attribution.Length);
    }

    private static double[] Mean(double[][] rows, int cols)
        => Enumerable.Range(0, cols).Select(c => rows.Length == 0 ? double.NaN : rows.Average(r => r[c])).ToArray();
}

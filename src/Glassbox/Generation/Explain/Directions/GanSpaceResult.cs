namespace Glassbox.Generation.Explain.Directions;

/// <summary>What <see cref="GanSpace"/> found.</summary>
/// <param name="Directions">Unit latent directions (scores: explained-variance ratio of each component).</param>
/// <param name="Components">Principal axes in the decomposed space (unit rows, first-layer units or latent dimensions).</param>
/// <param name="Variances">Variance along each component (eigenvalue of the sample covariance, 1/(N−1) normalised).</param>
/// <param name="ExplainedVarianceRatio">Each component's share of the total variance.</param>
/// <param name="TotalVariance">Trace of the sample covariance.</param>
/// <param name="Space">What was decomposed.</param>
public sealed record GanSpaceResult(LatentDirections Directions, IReadOnlyList<double[]> Components, IReadOnlyList<double> Variances,
    IReadOnlyList<double> ExplainedVarianceRatio, double TotalVariance, GanSpaceSpace Space);

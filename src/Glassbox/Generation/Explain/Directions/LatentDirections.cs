namespace Glassbox.Generation.Explain.Directions;

/// <summary>
/// Unit directions in a generator's latent space found by one method, strongest first, each with the method's own
/// score (SeFa: eigenvalue of WᵀW; GANSpace: explained-variance ratio of the component; InterFaceGAN: held-out
/// boundary accuracy).
/// </summary>
/// <param name="Method">"sefa", "ganspace", "interfacegan" or "random".</param>
/// <param name="Vectors">Unit-norm latent directions (each of the latent's length), strongest first.</param>
/// <param name="Scores">The method's score per direction.</param>
/// <param name="ScoreName">What <paramref name="Scores"/> holds.</param>
public sealed record LatentDirections(string Method, IReadOnlyList<double[]> Vectors, IReadOnlyList<double> Scores, string ScoreName)
{
    /// <summary>Number of directions.</summary>
    public int Count => Vectors.Count;
}

namespace Glassbox.Generation.Explain.Directions;

/// <summary>Settings of <see cref="Sefa"/> (defaults as in Shen &amp; Zhou's released code).</summary>
/// <param name="Count">Directions to return (the top eigenvectors).</param>
/// <param name="NormalizeUnits">Scale each output unit's weight row (over the latent) to unit norm before forming WᵀW, as the authors' code does.</param>
public sealed record SefaOptions(int Count = 5, bool NormalizeUnits = true)
{
    /// <summary>Throws a <see cref="GlassboxException"/> for an invalid setting.</summary>
    public void Validate()
    {
        if (Count < 1) throw new GlassboxException($"SeFa needs at least 1 direction, not {Count}.");
    }
}

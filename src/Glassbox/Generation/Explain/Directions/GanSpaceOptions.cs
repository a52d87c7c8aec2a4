namespace Glassbox.Generation.Explain.Directions;

/// <summary>What <see cref="GanSpace"/> decomposes.</summary>
public enum GanSpaceSpace
{
    /// <summary>The first layer's activations, components mapped back to the latent by regression (the paper's BigGAN recipe).</summary>
    Activations,
    /// <summary>The latent codes themselves (the paper's StyleGAN recipe, where the codes are the mapping network's w).</summary>
    Latents,
}

/// <summary>Settings of <see cref="GanSpace"/>.</summary>
/// <param name="Count">Principal components to return.</param>
/// <param name="Samples">Latents drawn from N(0, I) to estimate the components (the paper uses 10⁶ for BigGAN; a small first layer needs far fewer).</param>
/// <param name="Space">Activations (default) or latents.</param>
/// <param name="Seed">Seeds the latent sample.</param>
public sealed record GanSpaceOptions(int Count = 5, int Samples = 2000, GanSpaceSpace Space = GanSpaceSpace.Activations, int Seed = 0)
{
    /// <summary>Throws a <see cref="GlassboxException"/> for an invalid setting.</summary>
    public void Validate()
    {
        if (Count < 1) throw new GlassboxException($"GANSpace needs at least 1 component, not {Count}.");
        if (Samples < 2 || Samples <= Count) throw new GlassboxException($"GANSpace needs more samples ({Samples}) than components ({Count}), and at least 2.");
    }
}

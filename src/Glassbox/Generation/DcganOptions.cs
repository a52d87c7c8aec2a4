namespace Glassbox.Generation;

/// <summary>Output non-linearity of the DCGAN generator (Radford et al. 2016 use tanh on images scaled to [-1, 1]).</summary>
public enum GeneratorOutput
{
    /// <summary>Sigmoid: images in [0, 1], trained on the pixels as they are.</summary>
    Sigmoid,
    /// <summary>Tanh: trained on pixels scaled to [-1, 1]; samples are mapped back to [0, 1].</summary>
    Tanh,
}

/// <summary>
/// Settings of a <see cref="Dcgan"/> (Radford et al. 2016). A non-null <paramref name="ClassNames"/> gives a
/// class-conditional GAN (Mirza &amp; Osindero 2014) whose label embedding is concatenated to the latent and to the
/// discriminator features.
/// </summary>
/// <param name="LatentSize">Dimensions of the generator's standard-normal input.</param>
/// <param name="Output">Output non-linearity of the generator.</param>
/// <param name="Channels">Image channels.</param>
/// <param name="Height">Image height (a multiple of 4).</param>
/// <param name="Width">Image width (a multiple of 4).</param>
/// <param name="ClassNames">Classes to condition on; null for an unconditional GAN.</param>
public sealed record DcganOptions(
    int LatentSize = 64,
    GeneratorOutput Output = GeneratorOutput.Sigmoid,
    int Channels = 1,
    int Height = 28,
    int Width = 28,
    IReadOnlyList<string>? ClassNames = null)
{
    /// <summary>Number of classes conditioned on (0 when unconditional).</summary>
    public int Classes => ClassNames?.Count ?? 0;

    /// <summary>Throws a <see cref="GlassboxException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (LatentSize < 1) throw new GlassboxException($"The DCGAN latent size must be at least 1, not {LatentSize}.");
        if (!Enum.IsDefined(Output)) throw new GlassboxException($"Unknown generator output {(int)Output}; use Sigmoid or Tanh.");
        GenerationChecks.CheckShape(Channels, Height, Width);
        if (ClassNames is { Count: < 2 }) throw new GlassboxException($"A conditional DCGAN needs at least 2 classes, not {ClassNames.Count}; pass null for an unconditional one.");
    }
}

namespace Glassbox.Generation;

/// <summary>Likelihood of a pixel given the decoder output (Kingma &amp; Welling 2014, appendix C).</summary>
public enum VaeLikelihood
{
    /// <summary>Bernoulli: binary cross-entropy summed over pixels (the reference for MNIST).</summary>
    Bernoulli,
    /// <summary>Gaussian with unit variance: half the squared error summed over pixels.</summary>
    Gaussian,
}

/// <summary>
/// Settings of a <see cref="Vae"/>. Defaults follow the PyTorch VAE example for MNIST (Bernoulli likelihood) with a
/// 16-dimensional latent; <paramref name="Beta"/> ≠ 1 gives a β-VAE (Higgins et al. 2017); a non-null
/// <paramref name="ClassNames"/> gives a conditional VAE (Sohn et al. 2015).
/// </summary>
/// <param name="LatentSize">Dimensions of the Gaussian latent.</param>
/// <param name="Beta">Weight of the KL term in the loss.</param>
/// <param name="Likelihood">Reconstruction likelihood.</param>
/// <param name="Channels">Image channels.</param>
/// <param name="Height">Image height (a multiple of 4).</param>
/// <param name="Width">Image width (a multiple of 4).</param>
/// <param name="ClassNames">Classes the model is conditioned on (one-hot); null for an unconditional VAE.</param>
public sealed record VaeOptions(
    int LatentSize = 16,
    double Beta = 1.0,
    VaeLikelihood Likelihood = VaeLikelihood.Bernoulli,
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
        if (LatentSize < 1) throw new GlassboxException($"The VAE latent size must be at least 1, not {LatentSize}.");
        if (!double.IsFinite(Beta) || Beta < 0) throw new GlassboxException($"The VAE β must be a finite number ≥ 0, not {Beta}.");
        if (!Enum.IsDefined(Likelihood)) throw new GlassboxException($"Unknown VAE likelihood {(int)Likelihood}; use Bernoulli or Gaussian.");
        GenerationChecks.CheckShape(Channels, Height, Width);
        if (ClassNames is { Count: < 2 }) throw new GlassboxException($"A conditional VAE needs at least 2 classes, not {ClassNames.Count}; pass null for an unconditional one.");
    }
}

namespace Glassbox.Generation;

/// <summary>
/// Settings for <see cref="GeneratorTrainer"/>. A null learning rate picks the reference one: 1e-3 for a VAE (PyTorch
/// VAE example) and 2e-4 for a DCGAN (Radford et al. 2016, with Adam β1 = 0.5).
/// </summary>
/// <param name="Epochs">Passes over the training set.</param>
/// <param name="BatchSize">Images per optimisation step.</param>
/// <param name="LearningRate">Adam step size; null for the model's reference value.</param>
/// <param name="Seed">Seeds the shuffling order and the training noise (reparameterisation ε, GAN latents).</param>
/// <param name="Shuffle">Shuffle the training set every epoch.</param>
/// <param name="Beta1">Adam's first-moment decay β1; null for the reference value: 0.9 for a VAE (Adam's default, Kingma &amp; Ba 2015)
/// and 0.5 for a DCGAN (Radford et al. 2016). β2 stays 0.999.</param>
public sealed record GeneratorTrainingOptions(
    int Epochs = 10,
    int BatchSize = 128,
    double? LearningRate = null,
    int Seed = 0,
    bool Shuffle = true,
    double? Beta1 = null)
{
    /// <summary>Throws a <see cref="GlassboxException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new GlassboxException($"Epochs must be at least 1, not {Epochs}.");
        if (BatchSize < 1) throw new GlassboxException($"Batch size must be at least 1, not {BatchSize}.");
        if (LearningRate is double lr && !(lr > 0 && double.IsFinite(lr)))
            throw new GlassboxException($"Learning rate must be a positive finite number, not {lr}.");
        if (Beta1 is double b1 && !(b1 >= 0 && b1 < 1))
            throw new GlassboxException($"Adam's β1 must be in [0, 1), not {b1}.");
    }
}

/// <summary>Progress after one batch: running means of the losses over the epoch so far.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Epochs">Epochs in the run.</param>
/// <param name="Batch">1-based batch within the epoch.</param>
/// <param name="Batches">Batches per epoch.</param>
/// <param name="Losses">Running mean of each loss (names as in <see cref="GeneratorEpoch.Losses"/>).</param>
public sealed record GeneratorProgress(int Epoch, int Epochs, int Batch, int Batches, IReadOnlyDictionary<string, double> Losses);

/// <summary>One epoch of generator training.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="Losses">Mean per image over the epoch: "loss", "reconstruction", "kl" for a VAE; "discriminator",
/// "generator", "d_real", "d_fake" (mean discriminator probabilities) for a DCGAN.</param>
/// <param name="KlPerDimension">VAE only: mean KL of each latent dimension (near 0 for an unused, collapsed dimension).</param>
/// <param name="Seconds">Wall time of the epoch.</param>
public sealed record GeneratorEpoch(int Epoch, IReadOnlyDictionary<string, double> Losses, double[]? KlPerDimension, double Seconds);

/// <summary>The epochs of a generator training run and the settings used.</summary>
public sealed record GeneratorHistory(IReadOnlyList<GeneratorEpoch> Epochs, GeneratorTrainingOptions Options);

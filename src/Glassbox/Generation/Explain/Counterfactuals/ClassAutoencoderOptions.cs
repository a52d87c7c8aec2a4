namespace Glassbox.Generation.Explain.Counterfactuals;

/// <summary>
/// Settings of the per-class autoencoders behind <see cref="Im1"/>. Van Looveren &amp; Klaise train one small
/// autoencoder per class on the training set; these defaults (a 128-64 dense bottleneck, 30 epochs of Adam at 1e-3
/// on the squared error) train one MNIST class in about a second on a CPU.
/// </summary>
/// <param name="Hidden">Width of the hidden layers.</param>
/// <param name="Code">Width of the bottleneck.</param>
/// <param name="Epochs">Passes over the class's images.</param>
/// <param name="BatchSize">Images per Adam step.</param>
/// <param name="LearningRate">Adam learning rate.</param>
public sealed record ClassAutoencoderOptions(int Hidden = 128, int Code = 64, int Epochs = 30, int BatchSize = 64, double LearningRate = 1e-3)
{
    /// <summary>Throws a <see cref="GlassboxException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Hidden < 1 || Code < 1) throw new GlassboxException($"The IM1 autoencoder needs positive layer widths, not {Hidden} and {Code}.");
        if (Epochs < 1 || BatchSize < 1) throw new GlassboxException($"The IM1 autoencoder needs at least 1 epoch and 1 image per batch, not {Epochs} and {BatchSize}.");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new GlassboxException($"The IM1 autoencoder's learning rate must be a finite number > 0, not {LearningRate}.");
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Generation;

/// <summary>A trainable image generator (<see cref="Vae"/> or <see cref="Dcgan"/>).</summary>
public interface IGenerativeModel : IDisposable
{
    /// <summary>"vae" or "dcgan", as written in checkpoints.</summary>
    string Kind { get; }
    /// <summary>Dimensions of the latent.</summary>
    int LatentSize { get; }
    /// <summary>Classes conditioned on (0 when unconditional).</summary>
    int Classes { get; }
    /// <summary>Image channels.</summary>
    int Channels { get; }
    /// <summary>Image height.</summary>
    int Height { get; }
    /// <summary>Image width.</summary>
    int Width { get; }
    /// <summary>The root module whose state_dict holds every weight under PyTorch-style keys.</summary>
    nn.Module Module { get; }
    /// <summary>Switches training mode (BatchNorm statistics) on or off.</summary>
    void SetTraining(bool training);
    /// <summary>Maps latents (N×<see cref="LatentSize"/>) to images in [0, 1]; labels are required when conditional.</summary>
    Tensor Decode(Tensor latents, Tensor? labels = null);
    /// <summary>
    /// Draws <paramref name="count"/> standard-normal latents from a generator seeded with <paramref name="seed"/> and
    /// decodes them (in evaluation mode, without gradients); <paramref name="label"/> is required when conditional.
    /// </summary>
    GeneratedSamples Generate(int count, int seed, int? label = null);
}

/// <summary>Images (N×C×H×W in [0, 1]) and the latents (N×L) they were decoded from; dispose to free both.</summary>
public sealed record GeneratedSamples(Tensor Images, Tensor Latents) : IDisposable
{
    /// <inheritdoc/>
    public void Dispose()
    {
        Images.Dispose();
        Latents.Dispose();
    }
}

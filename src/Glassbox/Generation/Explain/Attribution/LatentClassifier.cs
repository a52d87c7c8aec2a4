using Glassbox.Generation.Explain.Traversals;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Generation.Explain.Attribution;

/// <summary>
/// The classifier seen through the generator, f∘G, as an <see cref="IImageModel"/> over latent codes: its "image" is
/// the code laid out as N×1×1×L, so every gradient method of the suite (saliency, input × gradient, integrated
/// gradients, GradientSHAP, SmoothGrad via the noise tunnel) attributes the class score to latent dimensions
/// unchanged (as latent-space attribution in Cohen et al. 2021, "Gifsplanation via Latent Shift", differentiates the
/// classifier through the decoder). The "pixels" are codes, not [0, 1] values. Disposing it leaves both models alone.
/// </summary>
public sealed class LatentClassifier : IImageModel
{
    private readonly IGenerativeModel _generator;
    private readonly IImageModel _classifier;
    private readonly int? _label;

    /// <summary>f∘G for <paramref name="generator"/> and <paramref name="classifier"/>; a conditional generator decodes every code as class <paramref name="label"/>.</summary>
    public LatentClassifier(IGenerativeModel generator, IImageModel classifier, int? label = null)
    {
        var i = classifier.Info;
        if (generator.Channels != i.Channels || generator.Height != i.Height || generator.Width != i.Width)
            throw new GlassboxException($"The generator makes {generator.Channels}×{generator.Height}×{generator.Width} images but the classifier takes {i.Channels}×{i.Height}×{i.Width}; use a classifier trained on the generator's data.");
        using (LatentTraversal.Labels(generator, 1, label, CPU)) { }
        _generator = generator;
        _classifier = classifier;
        _label = label;
        Info = new ModelInfo($"{generator.Kind}-decoder+{i.Architecture}", 1, 1, generator.LatentSize, i.ClassNames);
    }

    /// <summary>Codes (N×L) as this model's N×1×1×L inputs.</summary>
    public static Tensor AsInputs(Tensor codes)
    {
        if (codes.dim() != 2) throw new GlassboxException($"Latent codes are N×L, not shape [{string.Join(", ", codes.shape)}].");
        return codes.reshape(codes.shape[0], 1, 1, codes.shape[1]);
    }

    /// <summary>The generator.</summary>
    public IGenerativeModel Generator => _generator;

    /// <summary>The classifier.</summary>
    public IImageModel Classifier => _classifier;

    /// <inheritdoc/>
    public ModelInfo Info { get; }

    /// <inheritdoc/>
    public Device Device => _classifier.Device;

    /// <inheritdoc/>
    public ModelKind Kind => _classifier.Kind;

    /// <inheritdoc/>
    public bool SupportsGradients => _classifier.SupportsGradients;

    /// <summary>None: the rules of propagation methods would need the decoder's layers too.</summary>
    public IReadOnlyList<nn.Module<Tensor, Tensor>>? Layers => null;

    /// <summary>Identity: codes need no normalisation.</summary>
    public Tensor Preprocess(Tensor pixels) => pixels.alias();

    /// <summary>Generated images G(z) (N×C×H×W in [0, 1]) for N×1×1×L codes; differentiable.</summary>
    public Tensor Decode(Tensor inputs)
    {
        ModelCapabilities.CheckInput(this, inputs);
        using var scope = torch.NewDisposeScope();
        var z = inputs.reshape(inputs.shape[0], _generator.LatentSize);
        var labels = LatentTraversal.Labels(_generator, z.shape[0], _label, z.device);
        return _generator.Decode(z, labels).MoveToOuterDisposeScope();
    }

    /// <summary>Logits f(G(z)) for N×1×1×L codes; differentiable when the classifier is.</summary>
    public Tensor Forward(Tensor pixels)
    {
        using var scope = torch.NewDisposeScope();
        var images = Decode(pixels);
        return _classifier.Forward(images).MoveToOuterDisposeScope();
    }

    /// <summary>Owns neither model: nothing to free.</summary>
    public void Dispose() { }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Models;

/// <summary>
/// A built-in image classifier: optional per-channel normalisation followed by a PyTorch-compatible
/// <c>nn.Sequential</c> of layers (a residual network's blocks are children of it, as in torchvision).
/// <see cref="Forward"/> returns logits; softmax gives probabilities.
/// </summary>
public sealed class ImageClassifier : IImageModel
{
    private readonly Tensor? _mean;
    private readonly Tensor? _std;
    private readonly Graph.GraphModel? _graph;

    /// <summary>Builds a fresh (randomly initialised, seeded by libtorch's generator) classifier of a built-in architecture.</summary>
    public ImageClassifier(ModelInfo info, Device? device = null)
        : this(info, Architecture.Build(info.Architecture, info.Channels, info.Height, info.Width, info.Classes), device)
    {
    }

    /// <summary>Wraps a sequential network of any layers (for custom models and tests); <paramref name="info"/> describes its input and classes.</summary>
    public ImageClassifier(ModelInfo info, TorchSharp.Modules.Sequential network, Device? device = null)
    {
        info.Validate();
        Info = info;
        Device = device ?? CPU;
        Network = network;
        Network.to(Device);
        Network.eval();
        if (info.Mean is not null)
        {
            _mean = tensor(info.Mean, [1, info.Channels, 1, 1]).to(Device);
            _std = tensor(info.Std!, [1, info.Channels, 1, 1]).to(Device);
        }
        if (Graph.ModuleGraph.HasResidualBlocks(network)) _graph = Graph.ModuleGraph.Build(info, Device, network);
    }

    /// <summary>Architecture, input shape, classes and normalisation.</summary>
    public ModelInfo Info { get; }

    /// <summary>The device the weights live on.</summary>
    public Device Device { get; }

    /// <summary>The layers; state_dict keys follow PyTorch's nn.Sequential (<c>0.weight</c>, ...).</summary>
    public TorchSharp.Modules.Sequential Network { get; }

    /// <inheritdoc />
    public ModelKind Kind { get; init; } = ModelKind.BuiltIn;

    /// <inheritdoc />
    public bool SupportsGradients => true;

    /// <summary>The layers in order, or null for a residual network (its structure is <see cref="NodeGraph"/>).</summary>
    public IReadOnlyList<nn.Module<Tensor, Tensor>>? Layers =>
        _graph is null ? Network.children().Cast<nn.Module<Tensor, Tensor>>().ToList() : null;

    /// <summary>
    /// For a network with residual blocks (<see cref="Architecture.ResNetSmall"/>), its nodes as a graph that reads
    /// these weights (batch norm with running statistics, as at evaluation), which propagation rules and CAMs walk; else null.
    /// </summary>
    public Graph.GraphModel? NodeGraph => _graph;

    /// <summary>Maps [0,1] pixels to the network's input (identity without normalisation). Affine, so exact for DeepLIFT.</summary>
    public Tensor Preprocess(Tensor pixels)
    {
        CheckInput(pixels);
        return _mean is null ? pixels.alias() : (pixels - _mean) / _std!;
    }

    /// <summary>Logits for N×C×H×W pixels in [0,1].</summary>
    public Tensor Forward(Tensor pixels)
    {
        using var pre = Preprocess(pixels);
        return Network.forward(pre);
    }

    /// <summary>Class probabilities (softmax of the logits).</summary>
    public Tensor Probabilities(Tensor pixels)
    {
        using var logits = Forward(pixels);
        return nn.functional.softmax(logits, 1);
    }

    /// <summary>Puts the layers in training (dropout etc. active) or evaluation mode.</summary>
    public void SetTraining(bool training)
    {
        if (training) Network.train(); else Network.eval();
    }

    /// <summary>Throws a <see cref="GlassboxException"/> unless <paramref name="pixels"/> is N×C×H×W of this model's size.</summary>
    public void CheckInput(Tensor pixels) => ModelCapabilities.CheckInput(this, pixels);

    /// <summary>Formats a shape as 2×3×4.</summary>
    public static string ShapeText(long[] shape) => string.Join("×", shape);

    /// <inheritdoc />
    public void Dispose()
    {
        _graph?.Dispose();
        Network.Dispose();
        _mean?.Dispose();
        _std?.Dispose();
    }
}

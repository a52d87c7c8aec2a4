using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Glassbox.Models;

/// <summary>The built-in classifier architectures, by the names used in checkpoints and on the command line.</summary>
public static class Architecture
{
    /// <summary>Conv3×3(32)+ReLU, Conv3×3(64)+ReLU, Flatten, Linear(64·(H−4)·(W−4)→classes): the reference CNN.</summary>
    public const string ReferenceCnn = "reference-cnn";

    /// <summary>The reference CNN with 2×2 max-pooling after each convolution: about 10× fewer multiply-adds.</summary>
    public const string PooledCnn = "pooled-cnn";

    /// <summary>
    /// A ResNet-8 for small images (He et al. 2016): Conv3×3(16)+BN+ReLU, three <see cref="Residual.BasicBlock"/>s
    /// (16→16, 16→32 stride 2, 32→64 stride 2, the last two with a 1×1 downsample), global average pooling, Linear(64→classes).
    /// Its state_dict keys follow torchvision's ResNet (<c>conv1.weight</c>, <c>bn1.running_mean</c>, <c>layer1.0.conv1.weight</c>,
    /// <c>layer2.0.downsample.0.weight</c>, <c>fc.weight</c>); propagation rules and CAMs walk it as a graph of visible nodes.
    /// </summary>
    public const string ResNetSmall = "resnet-small";

    /// <summary>All names accepted by <see cref="Build"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = [ReferenceCnn, PooledCnn, ResNetSmall];

    /// <summary>
    /// Builds the layers of <paramref name="name"/> for inputs of <paramref name="channels"/>×<paramref name="height"/>×<paramref name="width"/>.
    /// Layer indices match PyTorch's <c>nn.Sequential</c>, so state_dict keys are <c>0.weight</c>, <c>2.weight</c>, ...
    /// (<see cref="ResNetSmall"/>: named children as torchvision's ResNet).
    /// </summary>
    public static TorchSharp.Modules.Sequential Build(string name, int channels, int height, int width, int classes)
    {
        switch (name)
        {
            case ReferenceCnn:
                Require(name, height >= 5 && width >= 5, "images of at least 5×5 pixels");
                return Sequential(
                    Conv2d(channels, 32, 3), ReLU(),
                    Conv2d(32, 64, 3), ReLU(),
                    Flatten(),
                    Linear(64L * (height - 4) * (width - 4), classes));
            case PooledCnn:
                int h1 = (height - 2) / 2, w1 = (width - 2) / 2;
                int h2 = (h1 - 2) / 2, w2 = (w1 - 2) / 2;
                Require(name, h2 >= 1 && w2 >= 1, "images of at least 10×10 pixels");
                return Sequential(
                    Conv2d(channels, 32, 3), ReLU(), MaxPool2d(2),
                    Conv2d(32, 64, 3), ReLU(), MaxPool2d(2),
                    Flatten(),
                    Linear(64L * h2 * w2, classes));
            case ResNetSmall:
                Require(name, height >= 4 && width >= 4, "images of at least 4×4 pixels");
                return Sequential(
                    ("conv1", Conv2d(channels, 16, 3, padding: 1, bias: false)),
                    ("bn1", BatchNorm2d(16)),
                    ("relu", ReLU()),
                    ("layer1", Sequential(("0", new Residual.BasicBlock(16, 16)))),
                    ("layer2", Sequential(("0", new Residual.BasicBlock(16, 32, stride: 2)))),
                    ("layer3", Sequential(("0", new Residual.BasicBlock(32, 64, stride: 2)))),
                    ("avgpool", AdaptiveAvgPool2d(1)),
                    ("flatten", Flatten()),
                    ("fc", Linear(64, classes)));
            default:
                throw new GlassboxException($"Unknown architecture '{name}'. Known: {string.Join(", ", Names)}.");
        }
    }

    private static void Require(string name, bool ok, string what)
    {
        if (!ok) throw new GlassboxException($"Architecture '{name}' needs {what}.");
    }
}

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

    /// <summary>All names accepted by <see cref="Build"/>.</summary>
    public static IReadOnlyList<string> Names { get; } = [ReferenceCnn, PooledCnn];

    /// <summary>
    /// Builds the layers of <paramref name="name"/> for inputs of <paramref name="channels"/>×<paramref name="height"/>×<paramref name="width"/>.
    /// Layer indices match PyTorch's <c>nn.Sequential</c>, so state_dict keys are <c>0.weight</c>, <c>2.weight</c>, ...
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
            default:
                throw new GlassboxException($"Unknown architecture '{name}'. Known: {string.Join(", ", Names)}.");
        }
    }

    private static void Require(string name, bool ok, string what)
    {
        if (!ok) throw new GlassboxException($"Architecture '{name}' needs {what}.");
    }
}

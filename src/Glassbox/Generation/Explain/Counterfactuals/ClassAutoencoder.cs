using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Glassbox.Generation.Explain.Counterfactuals;

/// <summary>
/// A dense autoencoder trained on the images of one class (Van Looveren &amp; Klaise 2021), used by <see cref="Im1"/>:
/// Flatten → Linear → ReLU → Linear (code) → ReLU → Linear → ReLU → Linear → sigmoid, trained on the squared error.
/// </summary>
public sealed class ClassAutoencoder : nn.Module<Tensor, Tensor>
{
    private readonly Sequential net;
    private readonly long[] shape;

    private ClassAutoencoder(int channels, int height, int width, ClassAutoencoderOptions o) : base("ClassAutoencoder")
    {
        int d = channels * height * width;
        shape = [channels, height, width];
        net = nn.Sequential(nn.Flatten(), nn.Linear(d, o.Hidden), nn.ReLU(), nn.Linear(o.Hidden, o.Code), nn.ReLU(),
            nn.Linear(o.Code, o.Hidden), nn.ReLU(), nn.Linear(o.Hidden, d), nn.Sigmoid());
        RegisterComponents();
    }

    /// <summary>Reconstructs N×C×H×W images in [0, 1].</summary>
    public override Tensor forward(Tensor x) => net.call(x).view([x.shape[0], .. shape]);

    /// <summary>Squared reconstruction error per image (summed over pixels) after training, averaged over the training images.</summary>
    public double TrainingError { get; private set; }

    /// <summary>
    /// Trains an autoencoder on <paramref name="images"/> (N×C×H×W in [0, 1], one class), seeded by
    /// <paramref name="seed"/> (weights and shuffling), and returns it in evaluation mode.
    /// </summary>
    public static ClassAutoencoder Train(Tensor images, int seed, ClassAutoencoderOptions? options = null, CancellationToken cancel = default)
    {
        var o = options ?? new ClassAutoencoderOptions();
        o.Validate();
        if (images.dim() != 4 || images.shape[0] < 1)
            throw new GlassboxException($"An IM1 autoencoder trains on N×C×H×W images of one class (N ≥ 1), not shape [{string.Join(", ", images.shape)}].");
        torch.manual_seed(seed);
        var ae = new ClassAutoencoder((int)images.shape[1], (int)images.shape[2], (int)images.shape[3], o);
        using var x = images.detach().to_type(ScalarType.Float32);
        long n = x.shape[0];
        using var optimizer = torch.optim.Adam(ae.parameters(), o.LearningRate);
        using var shuffle = new torch.Generator((ulong)(uint)seed);
        ae.train();
        for (int epoch = 0; epoch < o.Epochs; epoch++)
        {
            cancel.ThrowIfCancellationRequested();
            using var order = torch.randperm(n, generator: shuffle);
            for (long b = 0; b < n; b += o.BatchSize)
            {
                using var scope = torch.NewDisposeScope();
                var batch = x.index_select(0, order.slice(0, b, Math.Min(n, b + o.BatchSize), 1));
                optimizer.zero_grad();
                var loss = (ae.forward(batch) - batch).square().flatten(1).sum(1).mean();
                loss.backward();
                optimizer.step();
            }
        }
        ae.eval();
        using (torch.no_grad())
        using (var r = ae.forward(x))
        using (var err = (r - x).square().flatten(1).sum(1).mean())
            ae.TrainingError = err.item<float>();
        return ae;
    }
}

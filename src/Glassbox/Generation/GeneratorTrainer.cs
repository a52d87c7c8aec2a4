using System.Diagnostics;
using Glassbox.Data;
using Glassbox.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Generation;

/// <summary>
/// Trains a <see cref="Vae"/> (Adam on the negative ELBO) or a <see cref="Dcgan"/> (alternating Adam steps on the
/// non-saturating GAN loss) on an <see cref="ImageDataset"/> with pixels in [0, 1]. With the same seed and the same
/// initial weights, a CPU run gives the same weights.
/// </summary>
public sealed class GeneratorTrainer(GeneratorTrainingOptions options)
{
    /// <summary>The settings in use.</summary>
    public GeneratorTrainingOptions Options { get; } = options;

    /// <summary>Trains <paramref name="model"/> in place.</summary>
    public GeneratorHistory Train(IGenerativeModel model, ImageDataset data, IProgress<GeneratorProgress>? progress = null, CancellationToken cancel = default)
        => model switch
        {
            Vae vae => Train(vae, data, progress, cancel),
            Dcgan gan => Train(gan, data, progress, cancel),
            _ => throw new GlassboxException($"GeneratorTrainer cannot train a '{model.Kind}'; use a Vae or a Dcgan."),
        };

    /// <summary>Trains a VAE in place, recording the losses and the KL per latent dimension each epoch.</summary>
    public GeneratorHistory Train(Vae model, ImageDataset data, IProgress<GeneratorProgress>? progress = null, CancellationToken cancel = default)
    {
        Options.Validate();
        GenerationChecks.CheckData(model, data);
        using var optimizer = torch.optim.Adam(model.parameters(), Options.LearningRate ?? 1e-3, beta1: Options.Beta1 ?? 0.9, beta2: 0.999);
        var epochs = Run(model, data, model.LatentSize, progress, cancel, (x, y, noise, sums, klSums) =>
        {
            optimizer.zero_grad();
            var l = model.Loss(x, y, noise);
            using (l.Loss)
            {
                l.Loss.backward();
                optimizer.step();
                double loss = l.Loss.cpu().item<float>();
                Add(sums, "loss", loss, x.shape[0]);
                Add(sums, "reconstruction", l.Reconstruction, x.shape[0]);
                Add(sums, "kl", l.Kl, x.shape[0]);
                for (int d = 0; d < l.KlPerDimension.Length; d++) klSums[d] += l.KlPerDimension[d] * x.shape[0];
                return loss;
            }
        });
        return new GeneratorHistory(epochs, Options);
    }

    /// <summary>Trains a DCGAN in place: one discriminator step, then one generator step, per batch.</summary>
    public GeneratorHistory Train(Dcgan model, ImageDataset data, IProgress<GeneratorProgress>? progress = null, CancellationToken cancel = default)
    {
        Options.Validate();
        GenerationChecks.CheckData(model, data);
        double lr = Options.LearningRate ?? 2e-4, beta1 = Options.Beta1 ?? 0.5;
        using var optD = torch.optim.Adam(model.Discriminator.parameters(), lr, beta1: beta1, beta2: 0.999);
        using var optG = torch.optim.Adam(model.Generator.parameters(), lr, beta1: beta1, beta2: 0.999);
        bool tanh = model.Options.Output == GeneratorOutput.Tanh;
        var epochs = Run(model, data, 0, progress, cancel, (x, y, noise, sums, _) =>
        {
            long n = x.shape[0];
            var real = tanh ? x * 2 - 1 : x;
            var z = torch.randn([n, model.LatentSize], generator: noise).to(x.device);
            var ones = torch.ones(n, device: x.device);
            var zeros = torch.zeros(n, device: x.device);
            var fake = model.GenerateRaw(z, y);

            optD.zero_grad();
            var dReal = model.Discriminate(real, y);
            var dFake = model.Discriminate(fake.detach(), y);
            var lossD = nn.functional.binary_cross_entropy_with_logits(dReal, ones) + nn.functional.binary_cross_entropy_with_logits(dFake, zeros);
            lossD.backward();
            optD.step();

            // Non-saturating generator loss: maximise log D(G(z)) rather than minimise log(1 − D(G(z))).
            optG.zero_grad();
            var lossG = nn.functional.binary_cross_entropy_with_logits(model.Discriminate(fake, y), ones);
            lossG.backward();
            optG.step();

            double d = lossD.cpu().item<float>(), g = lossG.cpu().item<float>();
            Add(sums, "discriminator", d, n);
            Add(sums, "generator", g, n);
            Add(sums, "d_real", torch.sigmoid(dReal).mean().cpu().item<float>(), n);
            Add(sums, "d_fake", torch.sigmoid(dFake).mean().cpu().item<float>(), n);
            return d + g;
        });
        return new GeneratorHistory(epochs, Options);
    }

    private delegate double Step(Tensor x, Tensor? labels, torch.Generator noise, Dictionary<string, double> sums, double[] klSums);

    private static void Add(Dictionary<string, double> sums, string key, double value, long n)
        => sums[key] = sums.GetValueOrDefault(key) + value * n;

    private List<GeneratorEpoch> Run(IGenerativeModel model, ImageDataset data, int klDims, IProgress<GeneratorProgress>? progress, CancellationToken cancel, Step step)
    {
        // The data, the shuffling and the noise stay on the CPU (the same draws on every device); each batch moves to the model's device.
        var device = GenerationChecks.DeviceOf(model);
        var rng = new Random(Options.Seed);
        using var noise = new torch.Generator((ulong)(uint)Options.Seed);
        using var xAll = Trainer.ToTensor(data, CPU);
        using var yAll = torch.tensor(data.Labels.Select(l => (long)l).ToArray());
        int batches = (data.Count + Options.BatchSize - 1) / Options.BatchSize;
        int[] order = Enumerable.Range(0, data.Count).ToArray();
        var epochs = new List<GeneratorEpoch>();
        try
        {
            model.SetTraining(true);
            for (int epoch = 1; epoch <= Options.Epochs; epoch++)
            {
                if (Options.Shuffle) rng.Shuffle(order);
                var sw = Stopwatch.StartNew();
                var sums = new Dictionary<string, double>();
                var klSums = new double[klDims];
                long seen = 0;
                for (int b = 0; b < batches; b++)
                {
                    cancel.ThrowIfCancellationRequested();
                    using var scope = torch.NewDisposeScope();
                    int start = b * Options.BatchSize, n = Math.Min(Options.BatchSize, data.Count - start);
                    var idx = torch.tensor(order.AsSpan(start, n).ToArray().Select(i => (long)i).ToArray());
                    var x = xAll.index_select(0, idx).to(device);
                    var y = model.Classes > 0 ? yAll.index_select(0, idx).to(device) : null;
                    double total = step(x, y, noise, sums, klSums);
                    if (!double.IsFinite(total))
                        throw new GlassboxException($"Training diverged: the {model.Kind} loss became {total} in epoch {epoch}, batch {b + 1}. Lower the learning rate.");
                    seen += n;
                    progress?.Report(new GeneratorProgress(epoch, Options.Epochs, b + 1, batches, Means(sums, seen)));
                }
                sw.Stop();
                epochs.Add(new GeneratorEpoch(epoch, Means(sums, seen), klDims > 0 ? klSums.Select(k => k / seen).ToArray() : null, sw.Elapsed.TotalSeconds));
            }
        }
        finally { model.SetTraining(false); }
        return epochs;
    }

    private static Dictionary<string, double> Means(Dictionary<string, double> sums, long seen)
        => sums.ToDictionary(kv => kv.Key, kv => kv.Value / seen);
}

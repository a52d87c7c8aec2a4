using System.Diagnostics;
using Glassbox.Data;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Training;

/// <summary>Trains an <see cref="ImageClassifier"/> with Adam and cross-entropy, reporting held-out loss and accuracy each epoch.</summary>
public sealed class Trainer(TrainingOptions options)
{
    /// <summary>The settings in use.</summary>
    public TrainingOptions Options { get; } = options;

    /// <summary>
    /// Trains <paramref name="model"/> in place on <paramref name="train"/>, evaluating on <paramref name="heldOut"/>
    /// (optional) after each epoch.
    /// </summary>
    public TrainingHistory Train(ImageClassifier model, ImageDataset train, ImageDataset? heldOut,
        IProgress<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        Options.Validate();
        CheckData(model, train, "training");
        if (heldOut is not null) CheckData(model, heldOut, "held-out");
        if (train.Count == 0) throw new GlassboxException("The training set is empty.");

        var rng = new Random(Options.Seed);
        using var xAll = ToTensor(train, model.Device);
        using var yAll = torch.tensor(train.Labels.Select(l => (long)l).ToArray(), device: model.Device);
        using var optimizer = torch.optim.Adam(model.Network.parameters(), Options.LearningRate);
        var epochs = new List<EpochMetrics>();
        double bestLoss = double.PositiveInfinity;
        int sinceBest = 0;
        bool stoppedEarly = false;
        int batches = (train.Count + Options.BatchSize - 1) / Options.BatchSize;
        int[] order = Enumerable.Range(0, train.Count).ToArray();

        for (int epoch = 1; epoch <= Options.Epochs; epoch++)
        {
            if (Options.Shuffle) rng.Shuffle(order);
            model.SetTraining(true);
            var sw = Stopwatch.StartNew();
            double lossSum = 0;
            long correct = 0, seen = 0;
            for (int b = 0; b < batches; b++)
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = torch.NewDisposeScope();
                int start = b * Options.BatchSize, n = Math.Min(Options.BatchSize, train.Count - start);
                var idx = torch.tensor(order.AsSpan(start, n).ToArray().Select(i => (long)i).ToArray(), device: model.Device);
                var x = xAll.index_select(0, idx);
                var y = yAll.index_select(0, idx);
                optimizer.zero_grad();
                var logits = model.Forward(x);
                var loss = nn.functional.cross_entropy(logits, y);
                loss.backward();
                optimizer.step();
                double l = loss.item<float>();
                if (!double.IsFinite(l))
                    throw new GlassboxException($"Training diverged: the loss became {l} in epoch {epoch}, batch {b + 1}. Lower the learning rate.");
                lossSum += l * n;
                correct += logits.argmax(1).eq(y).sum().item<long>();
                seen += n;
                progress?.Report(new TrainingProgress(epoch, Options.Epochs, b + 1, batches, lossSum / seen, (double)correct / seen, seen / sw.Elapsed.TotalSeconds));
            }
            sw.Stop();
            var (hl, ha) = heldOut is null ? (double.NaN, double.NaN) : Evaluate(model, heldOut);
            epochs.Add(new EpochMetrics(epoch, lossSum / seen, (double)correct / seen, hl, ha, sw.Elapsed.TotalSeconds, seen / sw.Elapsed.TotalSeconds));
            if (Options.EarlyStopPatience is int patience && heldOut is not null)
            {
                if (hl < bestLoss - 1e-6) { bestLoss = hl; sinceBest = 0; }
                else if (++sinceBest >= patience && epoch < Options.Epochs) { stoppedEarly = true; break; }
            }
        }
        model.SetTraining(false);
        return new TrainingHistory(epochs, stoppedEarly, Options);
    }

    /// <summary>Mean cross-entropy and accuracy of <paramref name="model"/> on <paramref name="data"/>.</summary>
    public static (double Loss, double Accuracy) Evaluate(ImageClassifier model, ImageDataset data, int batchSize = 500)
    {
        if (data.Count == 0) return (double.NaN, double.NaN);
        CheckData(model, data, "evaluation");
        model.SetTraining(false);
        using var noGrad = torch.no_grad();
        double lossSum = 0;
        long correct = 0;
        for (int start = 0; start < data.Count; start += batchSize)
        {
            using var scope = torch.NewDisposeScope();
            int n = Math.Min(batchSize, data.Count - start);
            var x = ToTensor(data, model.Device, start, n);
            var y = torch.tensor(data.Labels.AsSpan(start, n).ToArray().Select(l => (long)l).ToArray(), device: model.Device);
            var logits = model.Forward(x);
            lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
            correct += logits.argmax(1).eq(y).sum().item<long>();
        }
        return (lossSum / data.Count, (double)correct / data.Count);
    }

    /// <summary>Images <paramref name="start"/>..start+count of <paramref name="data"/> as an N×C×H×W float tensor.</summary>
    public static Tensor ToTensor(ImageDataset data, Device device, int start = 0, int count = -1)
    {
        if (count < 0) count = data.Count - start;
        int size = data.ImageSize;
        var slice = data.Pixels.AsSpan(start * size, count * size).ToArray();
        return torch.tensor(slice, [count, data.Channels, data.Height, data.Width], device: device);
    }

    private static void CheckData(ImageClassifier model, ImageDataset data, string what)
    {
        var i = model.Info;
        if (data.Channels != i.Channels || data.Height != i.Height || data.Width != i.Width)
            throw new GlassboxException($"The {what} images are {data.Channels}×{data.Height}×{data.Width} but the model expects {i.Channels}×{i.Height}×{i.Width}.");
        if (data.ClassNames.Count != i.Classes)
            throw new GlassboxException($"The {what} data has {data.ClassNames.Count} classes but the model has {i.Classes}.");
    }
}

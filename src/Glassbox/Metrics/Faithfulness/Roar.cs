using Glassbox.Attribution;
using Glassbox.Data;
using Glassbox.Models;
using Glassbox.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Faithfulness;

/// <summary>Settings for <see cref="Roar"/> (Hooker et al.'s thresholds; a small default run of about a minute).</summary>
/// <param name="Percentages">Shares of each image's pixels removed, in percent (Hooker et al.: 10, 30, 50, 70, 90); null = those.</param>
/// <param name="MaxTrainImages">Training images used (the first ones); Hooker et al. use the whole set.</param>
/// <param name="MaxTestImages">Test images used (the first ones).</param>
/// <param name="Training">How each fresh model is trained; null = one epoch of <see cref="TrainingOptions"/>' defaults.</param>
/// <param name="CompareRandom">Also retrain on images with the same number of pixels removed at random (the paper's random baseline).</param>
/// <param name="IncludeUnmodified">Also retrain on the unmodified images (the 0 % point).</param>
/// <param name="Absolute">Rank pixels by |φ| instead of φ.</param>
/// <param name="ExplainPredicted">Explain the explained model's predicted class instead of the true label (a mask
/// ranked for the label can leak the label to the retrained model; Rong et al. 2022, ROAD).</param>
/// <param name="Seed">Seeds the random-removal order.</param>
/// <param name="ExplainBatchSize">Images explained per call of the explain function.</param>
public sealed record RoarOptions(
    int[]? Percentages = null,
    int MaxTrainImages = 2000,
    int MaxTestImages = 500,
    TrainingOptions? Training = null,
    bool CompareRandom = true,
    bool IncludeUnmodified = true,
    bool Absolute = false,
    bool ExplainPredicted = false,
    int Seed = 0,
    int ExplainBatchSize = 100)
{
    /// <summary>The removal shares in percent.</summary>
    public int[] RemovalPercentages => Percentages ?? [10, 30, 50, 70, 90];

    /// <summary>The training settings of every retrained model.</summary>
    public TrainingOptions TrainingSettings => Training ?? new TrainingOptions(Epochs: 1);
}

/// <summary>Test accuracy of a model retrained with a share of every image's pixels removed.</summary>
/// <param name="Percent">Pixels removed per image, in percent.</param>
/// <param name="Accuracy">Accuracy when the most important pixels (by attribution) were removed.</param>
/// <param name="RandomAccuracy">Accuracy when as many random pixels were removed (NaN when not compared).</param>
public sealed record RoarPoint(int Percent, double Accuracy, double RandomAccuracy);

/// <summary>The outcome of <see cref="Roar.Run"/>.</summary>
/// <param name="Method">The explanation method (from the explanations).</param>
/// <param name="UnmodifiedAccuracy">Accuracy of a model retrained on the unmodified images (NaN when not included).</param>
/// <param name="Points">One point per removal share, ascending.</param>
/// <param name="TrainImages">Training images used.</param>
/// <param name="TestImages">Test images used.</param>
/// <param name="Options">The settings used.</param>
public sealed record RoarResult(string Method, double UnmodifiedAccuracy, IReadOnlyList<RoarPoint> Points, int TrainImages, int TestImages, RoarOptions Options)
{
    /// <summary>Mean over the shares of random-removal accuracy minus attribution-removal accuracy: positive when the
    /// attribution finds pixels the task needs (a faithful method degrades the model faster than random); NaN without random.</summary>
    public double MeanGapToRandom => Points.Count == 0 || !Options.CompareRandom ? double.NaN : Points.Average(p => p.RandomAccuracy - p.Accuracy);
}

/// <summary>Where a <see cref="Roar"/> run is.</summary>
/// <param name="Stage">"explain" (ranking pixels) or "train" (retraining a fresh model).</param>
/// <param name="Step">1-based step of this stage.</param>
/// <param name="Steps">Steps of this stage.</param>
/// <param name="Percent">Removal share being retrained, in percent (null while explaining).</param>
/// <param name="Random">True when the model being retrained has random pixels removed.</param>
/// <param name="Training">The trainer's own progress, when training.</param>
public sealed record RoarProgress(string Stage, int Step, int Steps, int? Percent, bool Random, TrainingProgress? Training);

/// <summary>
/// ROAR, RemOve And Retrain (Hooker et al. 2019, "A Benchmark for Interpretability Methods in Deep Neural Networks"):
/// rank each training and test image's pixels by the explained model's attributions for its true label (or predicted class), replace the top
/// t % of every image by the per-channel training mean, train a fresh model on the modified training images and measure
/// its accuracy on the modified test images. Retraining separates "the pixels carry the information" from "the model
/// was never shown such images"; a faithful method makes accuracy fall faster than removing as many random pixels.
/// </summary>
public sealed class Roar(RoarOptions? options = null)
{
    /// <summary>The settings.</summary>
    public RoarOptions Options { get; } = options ?? new RoarOptions();

    /// <summary>
    /// Runs ROAR: explains <paramref name="train"/> and <paramref name="test"/> with <paramref name="explain"/> on
    /// <paramref name="explained"/> (the model trained on the unmodified data), then for every removal share trains a
    /// model from <paramref name="newModel"/> (a fresh, untrained classifier each call) and reports its test accuracy.
    /// </summary>
    public RoarResult Run(IImageModel explained, ExplainFunction explain, Func<ImageClassifier> newModel, ImageDataset train, ImageDataset test,
        IProgress<RoarProgress>? progress = null, CancellationToken cancel = default)
    {
        Check(explained, train, test);
        var trainSet = train.Take(Options.MaxTrainImages);
        var testSet = test.Take(Options.MaxTestImages);
        int explainSteps = (trainSet.Count + Options.ExplainBatchSize - 1) / Options.ExplainBatchSize
            + (testSet.Count + Options.ExplainBatchSize - 1) / Options.ExplainBatchSize;
        int explainStep = 0;
        void Explained() => progress?.Report(new RoarProgress("explain", ++explainStep, explainSteps, null, false, null));
        string method = "";
        var trainOrder = Rank(explained, explain, trainSet, ref method, Explained, cancel);
        var testOrder = Rank(explained, explain, testSet, ref method, Explained, cancel);
        var mean = ChannelMeans(trainSet);
        var rng = new Random(Options.Seed);
        var trainRandom = RandomOrders(trainSet, rng);
        var testRandom = RandomOrders(testSet, rng);

        var percents = Options.RemovalPercentages.Order().ToArray();
        int trainSteps = percents.Length * (Options.CompareRandom ? 2 : 1) + (Options.IncludeUnmodified ? 1 : 0), trainStep = 0;
        double Retrain(int percent, int[][]? trainRank, int[][]? testRank, bool random)
        {
            cancel.ThrowIfCancellationRequested();
            int step = ++trainStep;
            var inner = progress is null ? null : new Progress(p => progress.Report(new RoarProgress("train", step, trainSteps, percent, random, p)));
            var modifiedTrain = trainRank is null ? trainSet : Remove(trainSet, trainRank, percent, mean);
            var modifiedTest = testRank is null ? testSet : Remove(testSet, testRank, percent, mean);
            using var model = newModel();
            new Trainer(Options.TrainingSettings).Train(model, modifiedTrain, null, inner, cancel);
            return Trainer.Evaluate(model, modifiedTest).Accuracy;
        }

        double unmodified = Options.IncludeUnmodified ? Retrain(0, null, null, false) : double.NaN;
        var points = new List<RoarPoint>();
        foreach (int p in percents)
        {
            double byAttribution = Retrain(p, trainOrder, testOrder, false);
            double byRandom = Options.CompareRandom ? Retrain(p, trainRandom, testRandom, true) : double.NaN;
            points.Add(new RoarPoint(p, byAttribution, byRandom));
        }
        return new RoarResult(method, unmodified, points, trainSet.Count, testSet.Count, Options);
    }

    /// <summary>
    /// <paramref name="data"/> with, in every image, the first ⌊percent·H·W/100⌋ pixels of its order (all channels)
    /// replaced by <paramref name="channelMeans"/>.
    /// </summary>
    public static ImageDataset Remove(ImageDataset data, int[][] order, int percent, float[] channelMeans)
    {
        int pixels = data.Height * data.Width, size = data.ImageSize, remove = percent * pixels / 100;
        var px = (float[])data.Pixels.Clone();
        for (int i = 0; i < data.Count; i++)
            for (int r = 0; r < remove; r++)
                for (int c = 0; c < data.Channels; c++)
                    px[(long)i * size + c * pixels + order[i][r]] = channelMeans[c];
        return new ImageDataset(px, data.Count, data.Channels, data.Height, data.Width, data.Labels, data.ClassNames);
    }

    /// <summary>The mean of every channel over all images of <paramref name="data"/>.</summary>
    public static float[] ChannelMeans(ImageDataset data)
    {
        int pixels = data.Height * data.Width;
        var means = new float[data.Channels];
        for (int c = 0; c < data.Channels; c++)
        {
            double sum = 0;
            for (int i = 0; i < data.Count; i++)
                for (int p = 0; p < pixels; p++) sum += data.Pixels[(long)i * data.ImageSize + c * pixels + p];
            means[c] = data.Count == 0 ? 0 : (float)(sum / ((double)data.Count * pixels));
        }
        return means;
    }

    /// <summary>Each image's pixels (H·W indices) by decreasing attribution for its label (summed over channels); ties by index.</summary>
    private int[][] Rank(IImageModel model, ExplainFunction explain, ImageDataset data, ref string method, Action explained, CancellationToken cancel)
    {
        var orders = new int[data.Count][];
        int pixels = data.Height * data.Width;
        for (int start = 0; start < data.Count; start += Options.ExplainBatchSize)
        {
            cancel.ThrowIfCancellationRequested();
            int n = Math.Min(Options.ExplainBatchSize, data.Count - start);
            Explanation e;
            using (var x = Trainer.ToTensor(data, CPU, start, n))
            {
                var labels = Options.ExplainPredicted ? Predicted(model, x) : data.Labels.AsSpan(start, n).ToArray();
                e = explain(model, x, TargetSelection.PerInput(labels), cancel);
            }
            if (e.Count != n || e.TargetsPerInput != 1 || e.Shape[3] != data.Height || e.Shape[4] != data.Width)
                throw new GlassboxException(
                    $"ROAR: the explain function returned {string.Join("×", e.Shape)} maps for {n} images of {data.Height}×{data.Width}; it must explain each image once, for its label.");
            method = e.Method;
            int channels = e.Shape[2];
            for (int i = 0; i < n; i++)
            {
                var map = e.Map(i, 0);
                var score = new double[pixels];
                for (int c = 0; c < channels; c++)
                    for (int p = 0; p < pixels; p++) score[p] += map[c * pixels + p];
                if (Options.Absolute) for (int p = 0; p < pixels; p++) score[p] = Math.Abs(score[p]);
                var order = Enumerable.Range(0, pixels).ToArray();
                Array.Sort(order, (a, b) => score[a] != score[b] ? score[b].CompareTo(score[a]) : a.CompareTo(b));
                orders[start + i] = order;
            }
            explained();
        }
        return orders;
    }

    private static int[] Predicted(IImageModel model, Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        return model.Forward(x.to(model.Device)).argmax(1).cpu().data<long>().ToArray().Select(v => (int)v).ToArray();
    }

    private static int[][] RandomOrders(ImageDataset data, Random rng)
    {
        var orders = new int[data.Count][];
        for (int i = 0; i < data.Count; i++)
        {
            orders[i] = Enumerable.Range(0, data.Height * data.Width).ToArray();
            rng.Shuffle(orders[i]);
        }
        return orders;
    }

    private void Check(IImageModel explained, ImageDataset train, ImageDataset test)
    {
        if (Options.RemovalPercentages.Length == 0 || Options.RemovalPercentages.Any(p => p is < 1 or > 100))
            throw new GlassboxException($"ROAR removal percentages must be between 1 and 100, not [{string.Join(", ", Options.RemovalPercentages)}].");
        if (Options.MaxTrainImages < 1 || Options.MaxTestImages < 1)
            throw new GlassboxException("ROAR needs at least one training and one test image (max-train-images, max-test-images ≥ 1).");
        if (Options.ExplainBatchSize < 1) throw new GlassboxException("ROAR needs an explain batch size of at least 1.");
        Options.TrainingSettings.Validate();
        if (train.Count == 0 || test.Count == 0) throw new GlassboxException("ROAR needs a non-empty training set and test set.");
        var i = explained.Info;
        foreach (var (data, what) in new[] { (train, "training"), (test, "test") })
            if (data.Channels != i.Channels || data.Height != i.Height || data.Width != i.Width)
                throw new GlassboxException($"ROAR: the {what} images are {data.Channels}×{data.Height}×{data.Width} but the explained model expects {i.Channels}×{i.Height}×{i.Width}.");
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}

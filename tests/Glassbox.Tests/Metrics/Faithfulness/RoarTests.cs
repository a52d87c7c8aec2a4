using Glassbox.Attribution;
using Glassbox.Attribution.Gradient;
using Glassbox.Data;
using Glassbox.Metrics;
using Glassbox.Metrics.Faithfulness;
using Glassbox.Models;
using Glassbox.Training;
using TorchSharp;

namespace Glassbox.Tests.Metrics.Faithfulness;

public class RoarTests
{
    private const int Decisive = 5;

    /// <summary>4×4 images of uniform noise whose class is pixel 5 alone (1 → class 1, 0 → class 0).</summary>
    private static ImageDataset OnePixelDecides(int count, int seed)
    {
        var rng = new Random(seed);
        var px = new float[count * 16];
        var labels = new int[count];
        for (int i = 0; i < count; i++)
        {
            labels[i] = rng.Next(2);
            for (int p = 0; p < 16; p++) px[i * 16 + p] = (float)rng.NextDouble();
            px[i * 16 + Decisive] = labels[i];
        }
        return new ImageDataset(px, count, 1, 4, 4, labels, ["zero", "one"]);
    }

    private static ImageClassifier Fresh()
        => new(new ModelInfo("custom", 1, 4, 4, ["zero", "one"]), torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(16, 2)));

    private static readonly TrainingOptions Quick = new(Epochs: 3, BatchSize: 32, LearningRate: 0.05);

    /// <summary>A hand-made explanation that puts all relevance on one pixel.</summary>
    private static ExplainFunction OneHot(int pixel) => (model, x, targets, cancel) =>
    {
        int n = (int)x.shape[0];
        var values = new float[n * 16];
        for (int i = 0; i < n; i++) values[i * 16 + pixel] = 1;
        var t = targets.Resolve(n, model.Info.Classes, out _);
        return new Explanation("one-hot", new object(), values, [n, 1, 1, 4, 4], t, OutputSpace.Logits, new double[n], new double[n], null, 0);
    };

    [Fact]
    public void Roar_RemovingTheDecisivePixelByAttribution_KillsAccuracy_WhileRandomRemovalDoesNot()
    {
        var train = OnePixelDecides(2000, 1);
        var test = OnePixelDecides(400, 2);
        using var explained = Fresh();
        new Trainer(Quick).Train(explained, train, null);
        Assert.True(Trainer.Evaluate(explained, test).Accuracy > 0.95);

        var reports = new List<RoarProgress>();
        var roar = new Roar(new RoarOptions(Percentages: [10], Training: Quick));
        ExplainFunction saliency = (m, x, t, c) => new Saliency(m).Attribute(x, t, cancel: c);
        var r = roar.Run(explained, saliency, Fresh, train, test, new SyncProgress(reports.Add));
        Assert.Equal("Saliency", r.Method, ignoreCase: true);
        Assert.Equal(2000, r.TrainImages);
        Assert.Equal(400, r.TestImages);
        Assert.True(r.UnmodifiedAccuracy > 0.95, $"unmodified {r.UnmodifiedAccuracy}");
        var p = Assert.Single(r.Points);
        Assert.Equal(10, p.Percent);
        // 10 % of 16 pixels = 1: the saliency's top pixel is the decisive one, so the retrained model guesses.
        Assert.InRange(p.Accuracy, 0.35, 0.65);
        // A random pixel is the decisive one 1 time in 16.
        Assert.True(p.RandomAccuracy > 0.85, $"random {p.RandomAccuracy}");
        Assert.True(r.MeanGapToRandom > 0.25);
        Assert.Contains(reports, q => q.Stage == "explain");
        Assert.Equal(3, reports.Where(q => q.Stage == "train").Select(q => (q.Percent, q.Random)).Distinct().Count());
        Assert.All(reports.Where(q => q.Stage == "train"), q => Assert.Equal(3, q.Steps));
    }

    [Fact]
    public void Roar_WithAnAttributionThatMissesTheDecisivePixel_KeepsAccuracy()
    {
        var train = OnePixelDecides(2000, 3);
        var test = OnePixelDecides(400, 4);
        using var explained = Fresh();
        var r = new Roar(new RoarOptions(Percentages: [10], Training: Quick, CompareRandom: false, IncludeUnmodified: false, ExplainPredicted: true))
            .Run(explained, OneHot(0), Fresh, train, test);
        Assert.True(double.IsNaN(r.UnmodifiedAccuracy));
        Assert.True(double.IsNaN(r.Points[0].RandomAccuracy));
        Assert.True(r.Points[0].Accuracy > 0.95, $"{r.Points[0].Accuracy}");
    }

    [Fact]
    public void Remove_ReplacesTheTopPixelsOfEveryChannelByTheChannelMean()
    {
        // 2 images, 2 channels of 2×1 pixels: channel means 2.5 and 6.5; 50 % of 2 pixels = 1 per image.
        var data = new ImageDataset([1f, 2f, 5f, 6f, 3f, 4f, 7f, 8f], 2, 2, 2, 1, [0, 1], ["a", "b"]);
        var means = Roar.ChannelMeans(data);
        Assert.Equal(new[] { 2.5f, 6.5f }, means);
        var removed = Roar.Remove(data, [[1, 0], [0, 1]], 50, means);
        Assert.Equal(new[] { 1f, 2.5f, 5f, 6.5f, 2.5f, 4f, 6.5f, 8f }, removed.Pixels);
        Assert.Equal(data.Pixels, Roar.Remove(data, [[1, 0], [0, 1]], 10, means).Pixels); // 10 % of 2 pixels rounds to none
    }

    [Fact]
    public void Roar_RefusesAPercentageOutsideOneToHundred()
    {
        using var model = Fresh();
        var data = OnePixelDecides(10, 5);
        var ex = Assert.Throws<GlassboxException>(() => new Roar(new RoarOptions(Percentages: [0, 50])).Run(model, OneHot(0), Fresh, data, data));
        Assert.Contains("between 1 and 100", ex.Message);
    }

    private sealed class SyncProgress(Action<RoarProgress> report) : IProgress<RoarProgress>
    {
        public void Report(RoarProgress value) => report(value);
    }
}

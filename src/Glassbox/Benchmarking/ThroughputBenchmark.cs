using System.Diagnostics;
using Glassbox.Attribution;
using Glassbox.Attribution.Propagation;
using Glassbox.Data;
using Glassbox.Engine;
using Glassbox.Models;
using Glassbox.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Benchmarking;

/// <summary>Settings of <see cref="ThroughputBenchmark"/>.</summary>
/// <param name="Architecture">Model to measure.</param>
/// <param name="Images">Images explained with DeepSHAP (all classes).</param>
/// <param name="BackgroundSize">DeepSHAP background images.</param>
/// <param name="TrainBatches">Training steps timed (batch 64).</param>
/// <param name="Repeats">Timed repetitions of the raw pass; the median is reported.</param>
/// <param name="PairsPerChunk">DeepSHAP pairs per chunk.</param>
/// <param name="Threads">libtorch threads (0 = default).</param>
public sealed record BenchmarkOptions(string Architecture = Models.Architecture.ReferenceCnn, int Images = 10, int BackgroundSize = 100,
    int TrainBatches = 30, int Repeats = 5, int PairsPerChunk = 200, int Threads = 0);

/// <summary>Figures printed by the benchmark.</summary>
/// <param name="Malloc">Allocator setting the process ran under.</param>
/// <param name="Threads">libtorch threads.</param>
/// <param name="TrainSamplesPerSecond">Training throughput (Adam, batch 64).</param>
/// <param name="RawPassSeconds">Median time of one forward+backward (input gradient) of a batch of BackgroundSize images.</param>
/// <param name="DeepShapImagesPerSecond">DeepSHAP throughput, all classes.</param>
/// <param name="DeepShapSecondsPerImage">DeepSHAP time per image.</param>
/// <param name="RatioToRawPasses">DeepSHAP time / (classes × raw pass time): 1.0 = as fast as plain gradients for the same pairs.</param>
/// <param name="PeakRssMegabytes">Peak resident memory of the process.</param>
/// <param name="MaxAdditivityError">Largest additivity error seen.</param>
public sealed record BenchmarkResult(string Malloc, int Threads, double TrainSamplesPerSecond, double RawPassSeconds,
    double DeepShapImagesPerSecond, double DeepShapSecondsPerImage, double RatioToRawPasses, double PeakRssMegabytes, double MaxAdditivityError);

/// <summary>
/// Measures training samples/s, DeepSHAP images/s (all classes, B background images) and the ratio of DeepSHAP's
/// time to the raw forward+backward passes it needs (B pairs × classes per image ≈ classes passes of a batch of B).
/// </summary>
public static class ThroughputBenchmark
{
    /// <summary>Runs the benchmark in this process, under its current allocator setting.</summary>
    public static BenchmarkResult Run(BenchmarkOptions o, Action<string>? log = null)
    {
        log ??= _ => { };
        var ctx = TorchContext.Create("cpu", o.Threads, 0);
        var malloc = NativeRuntime.EnsureInitialized().Malloc;
        var info = new ModelInfo(o.Architecture, 1, 28, 28, MnistFormat.DigitClassNames);
        using var model = new ImageClassifier(info, ctx.Device);

        // Training throughput on random data (speed does not depend on the values).
        var rng = new Random(0);
        int trainCount = 64 * o.TrainBatches;
        var px = new float[trainCount * 784];
        for (int i = 0; i < px.Length; i++) px[i] = (float)rng.NextDouble();
        var labels = Enumerable.Range(0, trainCount).Select(i => i % 10).ToArray();
        var data = new ImageDataset(px, trainCount, 1, 28, 28, labels, info.ClassNames);
        new Trainer(new TrainingOptions(1, 64)).Train(model, data.Take(64 * 3), null); // warm-up
        var sw = Stopwatch.StartNew();
        var history = new Trainer(new TrainingOptions(1, 64)).Train(model, data, null);
        double trainRate = trainCount / sw.Elapsed.TotalSeconds;
        log($"training: {trainRate:F0} samples/s");
        model.SetTraining(false);
        foreach (var p in model.Network.parameters()) p.requires_grad = false;

        // Raw forward + backward (input gradient) of a batch of B images.
        using var bg = torch.rand(o.BackgroundSize, 1, 28, 28);
        var times = new List<double>();
        for (int rep = 0; rep < o.Repeats + 1; rep++)
        {
            using var scope = torch.NewDisposeScope();
            var xin = bg.detach().clone().requires_grad_(true);
            sw.Restart();
            var y = model.Forward(xin).select(1, rep % 10).sum();
            var g = torch.autograd.grad([y], [xin])[0];
            _ = g.sum().item<float>();
            if (rep > 0) times.Add(sw.Elapsed.TotalSeconds);
        }
        double raw = times.Order().ElementAt(times.Count / 2);
        log($"raw forward+backward of {o.BackgroundSize} images: {raw * 1000:F1} ms");

        // DeepSHAP, all classes.
        var explainer = new DeepShap(model, bg, new DeepShapOptions(PairsPerChunk: o.PairsPerChunk));
        using var warm = torch.rand(1, 1, 28, 28);
        explainer.Explain(warm, TargetSelection.AllClasses);
        using var x = torch.rand(o.Images, 1, 28, 28);
        sw.Restart();
        var e = explainer.Explain(x, TargetSelection.AllClasses);
        double perImage = sw.Elapsed.TotalSeconds / o.Images;
        double ratio = perImage / (info.Classes * raw);
        log($"DeepSHAP: {1 / perImage:F2} images/s, ratio {ratio:F2}");
        return new BenchmarkResult(malloc.Name, ctx.Threads, trainRate, raw, 1 / perImage, perImage, ratio, PeakRssMegabytes(), e.MaxAdditivityError);
    }

    /// <summary>Peak resident set size (VmHWM) in MB, or NaN where /proc is unavailable.</summary>
    public static double PeakRssMegabytes()
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return double.NaN;
        var line = File.ReadLines(status).FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        if (line is null) return double.NaN;
        var kb = line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        return double.Parse(kb, System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
    }
}

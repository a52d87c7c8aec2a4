using System.Diagnostics;
using Glassbox.App.Generation;
using Glassbox.Benchmarking;
using Glassbox.Data;
using Glassbox.Engine;
using Glassbox.Generation;
using Glassbox.Metrics.Generation;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.App;

/// <summary>Training speed of one generator kind.</summary>
/// <param name="Kind">train-generator kind.</param>
/// <param name="Images">Training images in the timed epoch.</param>
/// <param name="Seconds">Wall time of the epoch.</param>
/// <param name="SamplesPerSecond">Images / seconds.</param>
public sealed record GeneratorTrainingTiming(string Kind, int Images, double Seconds, double SamplesPerSecond);

/// <summary>Generation speed of one generator against its raw decoder passes.</summary>
/// <param name="Kind">"vae" or "dcgan".</param>
/// <param name="Images">Images generated.</param>
/// <param name="ImagesPerSecond">Through <see cref="IGenerativeModel.Generate"/> (latent draws, checks, eval mode).</param>
/// <param name="RawImagesPerSecond">Through the decoder alone on latents drawn beforehand.</param>
/// <param name="Ratio">Generate time / raw decoder time (1 = no overhead).</param>
public sealed record GeneratorGenerationTiming(string Kind, int Images, double ImagesPerSecond, double RawImagesPerSecond, double Ratio);

/// <summary>One evaluate-generator measurement.</summary>
/// <param name="Images">Generated images and real images (each).</param>
/// <param name="FeatureDimensions">Features per image.</param>
/// <param name="FeatureSeconds">Feature extraction of both sets.</param>
/// <param name="MetricSeconds">FD, KID, PRDC and IS.</param>
/// <param name="Seconds">Both.</param>
/// <param name="PeakRssMegabytes">The process's resident-memory high-water mark after the run (VmHWM).</param>
public sealed record GeneratorEvaluationTiming(int Images, int FeatureDimensions, double FeatureSeconds, double MetricSeconds, double Seconds, double PeakRssMegabytes);

/// <summary>Everything <see cref="GeneratorBenchmark"/> measured.</summary>
public sealed record GeneratorBenchmarkResult(IReadOnlyList<GeneratorTrainingTiming> Training, IReadOnlyList<GeneratorGenerationTiming> Generation,
    IReadOnlyList<GeneratorEvaluationTiming> Evaluation, int Threads);

/// <summary>
/// <c>glassbox benchmark --generator</c>: training samples/s of every generator kind (one epoch, batch 128), generation
/// images/s of a VAE and a DCGAN against their raw decoder passes, and evaluate-generator's time and peak memory for
/// growing numbers of generated vs real images (features streamed batch by batch; the real images are the shipped
/// sample's 10,000, train and test together), smallest first so a flat peak shows memory independent of N.
/// Weights are fresh (speed and memory do not depend on their values).
/// </summary>
public static class GeneratorBenchmark
{
    /// <summary>Runs the three parts.</summary>
    public static GeneratorBenchmarkResult Run(string dataFolder, int trainImages = 2000, int generateImages = 2000, IReadOnlyList<int>? evaluateSizes = null,
        int threads = 0, Action<string>? log = null)
    {
        log ??= _ => { };
        evaluateSizes ??= [2000, 10_000];
        if (trainImages < 1 || generateImages < 1 || evaluateSizes.Count == 0 || evaluateSizes.Any(n => n < EvaluateGeneratorJob.MinCount))
            throw new GlassboxException($"Give at least 1 training and generated image and evaluation sizes of at least {EvaluateGeneratorJob.MinCount}.");
        var ctx = TorchContext.Create("cpu", threads, 0);
        var train = MnistFormat.LoadFolder(dataFolder, "train");
        var test = MnistFormat.LoadFolder(dataFolder, "test");

        var training = new List<GeneratorTrainingTiming>();
        var subset = train.Take(trainImages);
        foreach (string kind in GeneratorKinds.All)
        {
            using var model = GeneratorKinds.Create(kind, train.Channels, train.Height, train.Width, train.ClassNames, null, null, 0);
            var history = new GeneratorTrainer(new GeneratorTrainingOptions(Epochs: 1, BatchSize: 128)).Train(model, subset);
            double s = history.Epochs[0].Seconds;
            training.Add(new GeneratorTrainingTiming(kind, subset.Count, s, subset.Count / s));
            log($"training {kind}: {subset.Count / s:F0} images/s");
        }

        var generation = new List<GeneratorGenerationTiming>();
        foreach (string kind in new[] { "vae", "dcgan" })
        {
            using var model = GeneratorKinds.Create(kind, train.Channels, train.Height, train.Width, train.ClassNames, null, null, 0);
            generation.Add(Generation(model, kind, generateImages));
            log($"generation {kind}: {generation[^1].ImagesPerSecond:F0} images/s (ratio {generation[^1].Ratio:F2})");
        }

        var evaluation = new List<GeneratorEvaluationTiming>();
        var real = Concat(train, test);
        var info = new ModelInfo(Architecture.ReferenceCnn, train.Channels, train.Height, train.Width, train.ClassNames);
        using (var classifier = new ImageClassifier(info, ctx.Device))
        using (var vae = GeneratorKinds.Create("vae", train.Channels, train.Height, train.Width, train.ClassNames, null, null, 0))
        {
            var extractor = new ClassifierFeatures(classifier);
            foreach (int n in evaluateSizes.Order())
            {
                if (n > real.Count) throw new GlassboxException($"The data has {real.Count} images; evaluate at most that many, not {n}.");
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                var clock = Stopwatch.StartNew();
                var m = EvaluateGeneratorJob.Measure(extractor, vae, real, null, n, 0, 256);
                double seconds = clock.Elapsed.TotalSeconds, featureSeconds = m.FeatureSeconds;
                evaluation.Add(new GeneratorEvaluationTiming(n, m.Real.Dimensions, featureSeconds, seconds - featureSeconds, seconds, ThroughputBenchmark.PeakRssMegabytes()));
                log($"evaluate {n} vs {n}: {seconds:F1} s, peak RSS {evaluation[^1].PeakRssMegabytes:F0} MB");
            }
        }
        return new GeneratorBenchmarkResult(training, generation, evaluation, ctx.Threads);
    }

    private static GeneratorGenerationTiming Generation(IGenerativeModel model, string kind, int images)
    {
        const int batch = 256;
        model.SetTraining(false);
        // Warm-up, then Generate (latents drawn, checked, decoded in eval mode) against Decode on latents drawn beforehand.
        using (var w = model.Generate(batch, 99)) { }
        var clock = Stopwatch.StartNew();
        for (int start = 0; start < images; start += batch)
            using (var s = model.Generate(Math.Min(batch, images - start), start)) { }
        double generate = clock.Elapsed.TotalSeconds;
        var latents = new List<Tensor>();
        for (int start = 0; start < images; start += batch) latents.Add(randn(Math.Min(batch, images - start), model.LatentSize));
        double raw;
        using (no_grad())
        {
            clock.Restart();
            foreach (var z in latents) using (model.Decode(z)) { }
            raw = clock.Elapsed.TotalSeconds;
        }
        foreach (var z in latents) z.Dispose();
        return new GeneratorGenerationTiming(kind, images, images / generate, images / raw, generate / raw);
    }

    private static ImageDataset Concat(ImageDataset a, ImageDataset b)
    {
        var pixels = new float[(a.Count + b.Count) * a.ImageSize];
        a.Pixels.AsSpan(0, a.Count * a.ImageSize).CopyTo(pixels);
        b.Pixels.AsSpan(0, b.Count * b.ImageSize).CopyTo(pixels.AsSpan(a.Count * a.ImageSize));
        return new ImageDataset(pixels, a.Count + b.Count, a.Channels, a.Height, a.Width, [.. a.Labels, .. b.Labels], a.ClassNames);
    }
}

using System.Diagnostics;
using Glassbox.App.Generation;
using Glassbox.App.Generation.Explain;
using Glassbox.Benchmarking;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.Engine;
using Glassbox.Generation;
using Glassbox.Models;
using Glassbox.Training;

namespace Glassbox.App;

/// <summary>One generator explanation kind timed by <see cref="ExplainGeneratorBenchmark"/>.</summary>
/// <param name="What">The kind.</param>
/// <param name="Generator">The generator kind it explained.</param>
/// <param name="Count">Codes or images explained (-n).</param>
/// <param name="Seconds">Wall time of the explain-generator job (loading, computing, writing).</param>
/// <param name="PeakRssMegabytes">The process's resident-memory high-water mark after the run (VmHWM; it never decreases).</param>
/// <param name="Error">The kind's refusal, if it refused.</param>
public sealed record ExplainGeneratorTiming(string What, string Generator, int Count, double Seconds, double PeakRssMegabytes, string? Error);

/// <summary>
/// <c>glassbox benchmark --explain-generator</c>: seconds and peak memory of every kind in
/// <see cref="GeneratorExplanations.All"/> for <c>-n</c> codes/images (100 by default), run through the
/// explain-generator job on a VAE and a DCGAN trained for one epoch on the shipped sample's first training images, with a
/// reference CNN trained for one epoch as the classifier. Each kind explains the generator the demo gives it (directions:
/// the DCGAN; disentanglement: a VAE trained one epoch on the factors set; the others: the VAE) with its default options.
/// </summary>
public static class ExplainGeneratorBenchmark
{
    /// <summary>Times every kind (or those in <paramref name="kinds"/>).</summary>
    public static IReadOnlyList<ExplainGeneratorTiming> Run(string dataFolder, int count = 100, IReadOnlyList<string>? kinds = null, int trainImages = 2000,
        int threads = 0, Action<string>? log = null)
    {
        log ??= _ => { };
        var selected = kinds ?? GeneratorExplanations.Names;
        foreach (string k in selected) GeneratorExplanations.Find(k);
        if (count is < 1 or > ExplainGeneratorRequest.MaxCount) throw new GlassboxException($"-n must be between 1 and {ExplainGeneratorRequest.MaxCount}, not {count}.");
        if (selected.Count == 0) return [];
        var ctx = TorchContext.Create("cpu", threads, 0);
        string root = Path.Combine(Path.GetTempPath(), "glassbox-explain-generator-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            var train = MnistFormat.LoadFolder(dataFolder, "train").Take(trainImages);
            string classifier = Path.Combine(root, "classifier");
            var info = new ModelInfo(Architecture.ReferenceCnn, train.Channels, train.Height, train.Width, train.ClassNames);
            using (var model = new ImageClassifier(info, ctx.Device))
            {
                var history = new Trainer(new TrainingOptions(Epochs: 1)).Train(model, train, null);
                Checkpoint.Save(classifier, model, history);
            }
            var generators = new Dictionary<string, string>();
            foreach (string kind in new[] { "vae", "dcgan" })
            {
                generators[kind] = Path.Combine(root, kind);
                TrainGeneratorJob.Run(new TrainGeneratorOptions(kind, generators[kind], Epochs: 1), train, new SilentObserver());
            }
            string? factors = null;
            if (selected.Contains("disentanglement"))
            {
                // The scorecard needs a VAE trained on the factors set (known factors), not on digits.
                factors = Path.Combine(root, "factors");
                var set = Glassbox.Data.Synthetic.FactorSprites.Create(new Glassbox.Data.Synthetic.FactorSpritesOptions(Seed: 0));
                Glassbox.Data.Synthetic.FactorSprites.Write(set, factors);
                generators["factors-vae"] = Path.Combine(root, "factors-vae");
                TrainGeneratorJob.Run(new TrainGeneratorOptions("vae", generators["factors-vae"], Epochs: 1), set.ToDataset(), new SilentObserver());
            }
            log($"trained a classifier, a VAE and a DCGAN on {train.Count} images{(factors is null ? "" : ", and a VAE on the factors set")}");
            var results = new List<ExplainGeneratorTiming>();
            foreach (string what in selected)
            {
                string kind = what == "disentanglement" ? "factors-vae" : DemoGenerator.ExplanationKinds.FirstOrDefault(k => k.What == what).Kind ?? "vae";
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                var clock = Stopwatch.StartNew();
                string? error = null;
                try
                {
                    ExplainGeneratorJob.Run(new ExplainGeneratorRequest(generators[kind], what, Path.Combine(root, "out-" + what), classifier,
                        what == "disentanglement" ? factors : dataFolder,
                        Count: count, Options: new Dictionary<string, string>()), threads: threads);
                }
                catch (GlassboxException e) { error = e.Message; }
                var r = new ExplainGeneratorTiming(what, kind, count, clock.Elapsed.TotalSeconds, ThroughputBenchmark.PeakRssMegabytes(), error);
                log($"{what} ({kind}, n = {count}): {r.Seconds:F1} s, peak RSS {r.PeakRssMegabytes:F0} MB{(error is null ? "" : ", refused: " + error)}");
                results.Add(r);
            }
            return results;
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

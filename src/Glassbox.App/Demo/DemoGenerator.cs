using System.Diagnostics;
using Glassbox.App.Generation;
using Glassbox.App.Generation.Explain;
using Glassbox.Generation;
using Glassbox.IO;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.App;

/// <summary>
/// The generator stage of <c>glassbox demo --generator</c>: trains a VAE and a DCGAN on the demo's training images
/// (the train-generator job), draws prior samples and sorts them by model A's prediction into one grid row per class,
/// evaluates both with the evaluate-generator job in model A's features (each metric beside the real-vs-real floor),
/// and runs the generator explanations of the catalog that the demo shows (traversals and counterfactuals on the VAE,
/// directions on the DCGAN). Everything is written under <c>generator/</c> in the run folder.
/// </summary>
public sealed class DemoGenerator(DemoOptions options, DemoGeneratorOptions generatorOptions, IRunObserver? observer = null)
{
    /// <summary>Sub-folder of the run folder that holds the generator part.</summary>
    public const string Folder = "generator";

    /// <summary>
    /// The explanation kinds the demo runs, each with the generator it explains and its options, in report order:
    /// directions on 1,000 sampled codes (GANSpace's eigenproblem is 8× cheaper than at the default 2,000);
    /// counterfactuals stop at p(target) ≥ 0.9 (at the bare arg-max the oracle agrees with fewer than half) and are
    /// judged by model B as the independently trained oracle.
    /// </summary>
    public static IReadOnlyList<(string What, string Kind, IReadOnlyDictionary<string, string> Options)> ExplanationKinds { get; } =
    [
        ("traversals", "vae", new Dictionary<string, string>()),
        ("directions", "dcgan", new Dictionary<string, string> { ["samples"] = "1000" }),
        ("counterfactual", "vae", new Dictionary<string, string> { ["confidence"] = "0.9", ["im1-epochs"] = "10" }),
    ];

    private const int GridColumns = 8;
    private readonly IRunObserver _observer = observer ?? new SilentObserver();

    /// <summary>Runs the stage; <paramref name="classifier"/> is model A, saved at <paramref name="classifierCheckpoint"/>.</summary>
    public GeneratorDemoSummary Run(OutputLayout layout, DemoData data, IImageModel classifier, string classifierCheckpoint, CancellationToken cancel = default)
    {
        var g = generatorOptions;
        g.Validate();
        if (g.EvaluateCount > Math.Min(data.Test.Count, data.Train.Count))
            throw new GlassboxException($"The generator evaluation compares {g.EvaluateCount} images but the data has {data.Test.Count} test and {data.Train.Count} training images; lower the count.");
        var clock = Stopwatch.StartNew();
        string root = Path.Combine(layout.Root, Folder);
        Directory.CreateDirectory(root);
        var models = new List<GeneratorDemoModel>
        {
            Train(layout, data, classifier, classifierCheckpoint, "VAE", "vae", g.VaeEpochs, g.VaeLatent, cancel),
            Train(layout, data, classifier, classifierCheckpoint, "DCGAN", "dcgan", g.DcganEpochs, null, cancel),
        };
        var explanations = new List<GeneratorDemoExplanation>();
        foreach (var (what, kind, kindOptions) in ExplanationKinds)
        {
            cancel.ThrowIfCancellationRequested();
            var model = models.First(m => m.Kind == kind);
            var withOracle = new Dictionary<string, string>(kindOptions);
            // Model B (trained on another split) is the oracle that judges counterfactuals independently of model A.
            if (what == "counterfactual" && Directory.Exists(layout.ModelB)) withOracle["oracle"] = layout.ModelB;
            explanations.Add(Explain(layout, what, model, classifierCheckpoint, withOracle, cancel));
        }
        return new GeneratorDemoSummary(models, explanations, g.EvaluateCount, EvaluateGeneratorJob.FeaturesDescription, clock.Elapsed.TotalSeconds);
    }

    private GeneratorDemoModel Train(OutputLayout layout, DemoData data, IImageModel classifier, string classifierCheckpoint,
        string name, string kind, int epochs, int? latent, CancellationToken cancel)
    {
        var o = options;
        var g = generatorOptions;
        string folder = Path.Combine(layout.Root, Folder, kind);
        var clock = Stopwatch.StartNew();
        var trained = TrainGeneratorJob.Run(new TrainGeneratorOptions(kind, folder, epochs, g.BatchSize, latent, Seed: o.Seed, Device: o.Device),
            data.Train, new RenamedStages(_observer, $"Generator: training the {name}"), cancel);
        double trainSeconds = clock.Elapsed.TotalSeconds;
        var last = trained.History.Epochs[^1];

        Stage($"Generator: classifying {name} samples", 1);
        var (model, meta) = GeneratorCheckpoint.Load(folder, classifier.Device);
        string gridFile = $"{kind}_samples_by_class.png";
        int[] counts;
        double confidence;
        using (model)
        {
            (counts, confidence) = SamplesByClass(model, classifier, g.ClassifiedSamples, o.Seed, Path.Combine(layout.Root, Folder, gridFile));
        }
        Done($"Generator: classifying {name} samples", $"model A's classes of {g.ClassifiedSamples} samples: {string.Join(" ", counts)}");

        Stage($"Generator: evaluating the {name}", 1);
        string evaluation = Path.Combine(layout.Root, Folder, $"{kind}-evaluation");
        var evaluated = EvaluateGeneratorJob.Run(new EvaluateGeneratorRequest(folder, classifierCheckpoint, o.DataFolder, evaluation, g.EvaluateCount, o.Seed, Device: o.Device));
        var fd = evaluated.Rows.First(r => r.Metric == "fd");
        Done($"Generator: evaluating the {name}", $"FD {fd.Generated:G3} (real-vs-real floor {fd.Floor:G3}), {evaluated.Seconds:F1} s");

        string Rel(string path) => layout.Relative(path);
        return new GeneratorDemoModel(name, kind, Rel(folder) + "/", epochs, g.BatchSize, meta.LatentSize, trainSeconds,
            last.Losses, Rel(Path.Combine(folder, TrainGeneratorJob.LossCurvesFile)),
            model is Vae ? Rel(Path.Combine(folder, TrainGeneratorJob.KlFile)) : null, last.KlPerDimension,
            $"{Folder}/{gridFile}", g.ClassifiedSamples, counts, confidence, evaluated.Rows, Rel(evaluation) + "/", evaluated.Seconds);
    }

    /// <summary>
    /// Draws <paramref name="count"/> prior samples, classifies them with <paramref name="classifier"/> and writes a grid whose
    /// row c holds the first <see cref="GridColumns"/> samples predicted as class c (black cells when there are fewer).
    /// </summary>
    internal static (int[] Counts, double MeanConfidence) SamplesByClass(IGenerativeModel model, IImageModel classifier, int count, int seed, string path)
    {
        int classes = classifier.Info.Classes;
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var samples = model.Generate(count, seed);
        var images = samples.Images.to(classifier.Device);
        var probabilities = classifier.Forward(images).softmax(1).cpu();
        var (top, predicted) = probabilities.max(1);
        long[] labels = predicted.data<long>().ToArray();
        double confidence = top.to_type(ScalarType.Float64).mean().item<double>();
        var counts = new int[classes];
        foreach (long c in labels) counts[c]++;
        var cells = new List<Tensor>();
        var blank = zeros([1, model.Channels, model.Height, model.Width]);
        var cpuImages = images.cpu();
        for (int c = 0; c < classes; c++)
        {
            var rows = Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).Take(GridColumns).ToList();
            foreach (int i in rows) cells.Add(cpuImages.narrow(0, i, 1));
            for (int k = rows.Count; k < GridColumns; k++) cells.Add(blank);
        }
        AtomicFile.WriteAllBytes(path, SampleGrid.ToPng(cat(cells, 0), GridColumns));
        return (counts, confidence);
    }

    private GeneratorDemoExplanation Explain(OutputLayout layout, string what, GeneratorDemoModel model, string classifierCheckpoint,
        IReadOnlyDictionary<string, string> kindOptions, CancellationToken cancel)
    {
        var o = options;
        string folder = Path.Combine(layout.Root, Folder, $"explain-{what}");
        string stage = $"Generator: {what} of the {model.Name}";
        Stage(stage, 1);
        var clock = Stopwatch.StartNew();
        var request = new ExplainGeneratorRequest(Path.Combine(layout.Root, model.Checkpoint.TrimEnd('/')), what, folder,
            Classifier: classifierCheckpoint, Data: o.DataFolder, Count: generatorOptions.ExplainCount, Seed: o.Seed,
            Options: kindOptions);
        try
        {
            var result = ExplainGeneratorJob.Run(request, new RenamedStages(_observer, stage), cancel, o.Device, o.Threads);
            string prefix = layout.Relative(folder) + "/";
            Done(stage, $"{result.Figures.Count} figure(s), {clock.Elapsed.TotalSeconds:F1} s");
            return new GeneratorDemoExplanation(what, model.Name, prefix, result.Figures.Select(f => f with { File = prefix + f.File }).ToList(), null, clock.Elapsed.TotalSeconds);
        }
        catch (GlassboxException e)
        {
            // A refusal of one kind is shown in the report in red; the rest of the demo still runs.
            Done(stage, "refused: " + e.Message);
            return new GeneratorDemoExplanation(what, model.Name, layout.Relative(folder) + "/", [], e.Message, clock.Elapsed.TotalSeconds);
        }
    }

    private void Stage(string name, double total) => _observer.StageStarted(name, total);
    private void Done(string name, string summary) => _observer.StageFinished(name, summary);

    /// <summary>Passes a job's progress on under the demo's stage name (its own stage names repeat across jobs).</summary>
    private sealed class RenamedStages(IRunObserver inner, string name) : IRunObserver
    {
        public void StageStarted(string stage, double total) => inner.StageStarted(Name(stage), total);
        public void StageProgress(string stage, double done, string? detail = null) => inner.StageProgress(Name(stage), done, detail);
        public void StageFinished(string stage, string summary) => inner.StageFinished(Name(stage), summary);
        private string Name(string stage) => stage == "Training" ? name : $"{name}: {stage}";
    }
}

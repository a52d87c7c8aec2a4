using System.Diagnostics;
using System.Text.Json;
using Glassbox.Attribution;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.Engine;
using Glassbox.IO;
using Glassbox.Metrics.Agreement;
using Glassbox.Metrics.Faithfulness;
using Glassbox.Models;
using Glassbox.Training;
using Glassbox.Attribution.Catalog;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.App;

/// <summary>The demo's data: the training images, the test images and the 80/20 split of the training images.</summary>
public sealed record DemoData(ImageDataset Train, ImageDataset Test, ImageDataset Subset, ImageDataset Validation, ModelInfo Info);

/// <summary>A model the demo trained, with its history.</summary>
public sealed record TrainedModel(string Name, ImageClassifier Model, TrainingHistory History);

/// <summary>
/// <c>glassbox demo</c> in stages: load the data; train a classifier on the training data and a second one on an 80 %
/// split; explain test images for every class with a catalog method (DeepSHAP by default) through the same explain
/// stage as <c>glassbox explain</c>; check the explanations (additivity, agreement of the two models on the 20 %
/// validation split, deletion against random order); write the explanation in the shared <see cref="OutputLayout"/>,
/// the checks' figures, metrics.json and report.html.
/// </summary>
public sealed class DemoPipeline(DemoOptions options, IRunObserver? observer = null, MethodCatalog? catalog = null)
{
    private readonly IRunObserver _observer = observer ?? new SilentObserver();

    /// <summary>Runs every stage and returns the metrics (also written to metrics.json in the output folder).</summary>
    public RunMetrics Run(CancellationToken cancel = default)
    {
        var total = Stopwatch.StartNew();
        var o = options;
        OutputLayout.CheckFolderName(o.OutputFolder);
        RunLimits.CheckThreads(o.Threads);
        o.Generator?.Validate();
        var entry = (catalog ?? MethodCatalog.Default).Get(o.Method);
        var ctx = TorchContext.Create(o.Device, o.Threads, o.Seed);
        var layout = new OutputLayout(Path.GetFullPath(o.OutputFolder));
        using var runLock = OutputLock.Acquire(layout.Root);
        layout.Create();

        var data = LoadData();
        if (entry.UsesBaselineDistribution) MemoryBudget.CheckBackground(Math.Min(o.BackgroundSize, data.Subset.Count), data.Info);
        var (modelA, modelB) = TrainModels(data, ctx, layout, cancel);
        using (modelA.Model)
        using (modelB.Model)
        {
            using var background = Trainer.ToTensor(data.Subset.Subset(Sampling.SampleIndices(data.Subset.Count, o.BackgroundSize, o.Seed)), ctx.Device);
            var plot = ExplainTestImages(entry, data, modelA, background, cancel);
            var (reliability, relA, relB) = CheckReliability(entry, data, modelA, modelB, background, cancel);
            var generator = o.Generator is { } g
                ? new DemoGenerator(o, g, _observer).Run(layout, data, modelA.Model, layout.ModelA, cancel)
                : null;
            return Write(layout, ctx, data, [modelA, modelB], plot, reliability, relA, relB, total, generator);
        }
    }

    /// <summary>Stage 1: the MNIST-format data and its stratified 80/20 split.</summary>
    public DemoData LoadData()
    {
        var o = options;
        Stage("Loading data", 1);
        var train = MnistFormat.LoadFolder(o.DataFolder, "train");
        var test = MnistFormat.LoadFolder(o.DataFolder, "test");
        var (subsetIdx, valIdx) = StratifiedSplit.Split(train.Labels, 0.8, o.SplitSeed);
        var subset = train.Subset(subsetIdx);
        var validation = train.Subset(valIdx);
        var info = new ModelInfo(o.Architecture, train.Channels, train.Height, train.Width, train.ClassNames);
        Done("Loading data", $"{train.Count} training, {test.Count} test images; 80/20 split (seed {o.SplitSeed}): {subset.Count}/{validation.Count}");
        return new DemoData(train, test, subset, validation, info);
    }

    /// <summary>Stage 2: model A on all training images, model B on the 80 % split; both saved as checkpoints.</summary>
    public (TrainedModel A, TrainedModel B) TrainModels(DemoData data, TorchContext ctx, OutputLayout layout, CancellationToken cancel)
    {
        var a = TrainModel("A", data.Info, data.Train, data.Test, ctx, cancel);
        var b = TrainModel("B", data.Info, data.Subset, data.Validation, ctx, cancel);
        Checkpoint.Save(layout.ModelA, a.Model, a.History);
        Checkpoint.Save(layout.ModelB, b.Model, b.History);
        return (a, b);
    }

    /// <summary>Stage 3: model A's explanation of the first test images for every class.</summary>
    public ExplainedImages ExplainTestImages(MethodEntry entry, DemoData data, TrainedModel model, Tensor background, CancellationToken cancel)
    {
        var plotSet = data.Test.Take(options.PlotImages);
        var rowNames = Enumerable.Range(0, plotSet.Count).Select(i => $"test #{i}, label {plotSet.ClassNames[plotSet.Labels[i]]}").ToArray();
        return ExplainStage.Run(model.Model, entry, MethodOptions(entry), plotSet.Pixels, rowNames, _ => TargetSelection.AllClasses,
            OutputSpace.Logits, options.Seed, () => background, _observer, $"{entry.Name} (all classes)", cancel);
    }

    /// <summary>
    /// Stage 4: both models explain the same validation images for their true class; the check stage runs on each,
    /// and the two explanations of every image are compared (Spearman rank correlation, top-10 % overlap).
    /// </summary>
    public (ReliabilitySummary Summary, ExplainedImages A, ExplainedImages B) CheckReliability(MethodEntry entry, DemoData data,
        TrainedModel a, TrainedModel b, Tensor background, CancellationToken cancel)
    {
        var o = options;
        var validation = data.Validation;
        int count = o.ReliabilityImages <= 0 ? validation.Count : Math.Min(o.ReliabilityImages, validation.Count);
        var set = validation.Subset(Sampling.SampleIndices(validation.Count, count, o.Seed + 1));
        var names = Enumerable.Range(0, count).Select(i => $"validation #{i}").ToArray();
        var clock = Stopwatch.StartNew();
        ExplainedImages Explain(TrainedModel m) => ExplainStage.Run(m.Model, entry, MethodOptions(entry), set.Pixels, names,
            _ => TargetSelection.PerInput(set.Labels), OutputSpace.Logits, o.Seed, () => background, _observer,
            $"Reliability: explaining with model {m.Name}", cancel);
        var relA = Explain(a);
        var relB = Explain(b);
        var deletion = new DeletionOptions(RandomSeed: o.Seed);
        var checkA = CheckStage.Run(a.Model, relA, deletion, _observer, "Reliability: deletion, model A");
        var checkB = CheckStage.Run(b.Model, relB, deletion, _observer, "Reliability: deletion, model B");

        Stage("Reliability: agreement", count);
        var rhos = new double[count];
        var overlaps = new double[count];
        for (int i = 0; i < count; i++)
        {
            rhos[i] = SpearmanRankCorrelation.Compute(relA.Explanation.Map(i, 0), relB.Explanation.Map(i, 0));
            overlaps[i] = TopFractionOverlap.Compute(relA.Explanation.Map(i, 0), relB.Explanation.Map(i, 0), 0.1);
        }
        var finiteRhos = rhos.Where(double.IsFinite).Order().ToArray();
        var summary = new ReliabilitySummary(count, "true label",
            finiteRhos.Length == 0 ? double.NaN : finiteRhos.Average(),
            finiteRhos.Length == 0 ? double.NaN : finiteRhos[finiteRhos.Length / 2],
            overlaps.Average(), 0.1, checkA.Additivity, checkB.Additivity, checkA.Deletion, checkB.Deletion, clock.Elapsed.TotalSeconds);
        Done("Reliability: agreement",
            $"Spearman {summary.SpearmanMean:F3}, top-10 % overlap {summary.TopTenPercentOverlapMean:F3}; deletion AUC A {checkA.Deletion.AttributionAuc:F3} vs random {checkA.Deletion.RandomAuc:F3}");
        return (summary, relA, relB);
    }

    /// <summary>Stage 5: the explanation in the shared layout, the validation explanations, figures, metrics.json and report.html.</summary>
    public RunMetrics Write(OutputLayout layout, TorchContext ctx, DemoData data, IReadOnlyList<TrainedModel> models, ExplainedImages plot,
        ReliabilitySummary reliability, ExplainedImages relA, ExplainedImages relB, Stopwatch total, GeneratorDemoSummary? generator = null)
    {
        var o = options;
        Stage("Writing figures and report", 1);
        var plotLabels = data.Test.Labels.Take(plot.Names.Length).ToArray();
        var about = new Dictionary<string, object?>
        {
            ["model"] = layout.Relative(layout.ModelA), ["modelKind"] = ModelKind.BuiltIn.ToString(), ["architecture"] = data.Info.Architecture,
        };
        var files = WriteStage.Write(layout, plot, null, 0, about, plotLabels);
        files["checkpointA"] = "model-a/";
        files["checkpointB"] = "model-b/";
        if (generator is not null) files["generator"] = DemoGenerator.Folder + "/";
        Directory.CreateDirectory(layout.Validation);
        var info = data.Info;
        int n = reliability.Images;
        void Npy(string key, string name, Action<string> write)
        {
            write(layout.ValidationFile(name));
            files[key] = layout.Relative(layout.ValidationFile(name));
        }
        Npy("validationInputs", "inputs.npy", p => NpyFile.Write(p, relA.Explanation.Inputs!, [n, info.Channels, info.Height, info.Width]));
        Npy("validationLabels", "labels.npy", p => NpyFile.Write(p, relA.Explanation.Targets, [n]));
        Npy("validationAttributionsA", "attributions_model_a.npy", p => NpyFile.Write(p, relA.Explanation.Values, relA.Explanation.Shape));
        Npy("validationAttributionsB", "attributions_model_b.npy", p => NpyFile.Write(p, relB.Explanation.Values, relB.Explanation.Shape));

        var summaries = models.Select((m, i) => new ModelSummary(m.Name, i == 0 ? "model-a" : "model-b",
            i == 0 ? "all training images" : $"80 % of the training images (seed {o.SplitSeed})", i == 0 ? data.Train.Count : data.Subset.Count,
            Trainer.Evaluate(m.Model, data.Test).Accuracy, Trainer.Evaluate(m.Model, data.Validation).Accuracy, m.History)).ToList();
        foreach (var (k, v) in DemoFigures.Write(layout, summaries, reliability, plot.Explanation, relA.Explanation, relB.Explanation))
            files[k] = v;

        var e = plot.Explanation;
        var expected = plot.ExpectedValue ?? Enumerable.Range(0, info.Classes).Select(c => e.BaseValues[c]).ToArray();
        var explanationSummary = new DeepShapSummary(plot.BackgroundCount, "logits", Enumerable.Range(0, e.Count).ToArray(), plotLabels, plot.Predictions,
            expected, plot.Additivity, e.Count / Math.Max(1e-9, plot.Seconds), plot.Seconds);
        var runtimeInfo = NativeRuntime.EnsureInitialized();
        var metrics = new RunMetrics(DateTime.UtcNow, o,
            new RuntimeSummary(ctx.Device.type.ToString().ToLowerInvariant(), ctx.Threads, runtimeInfo.Malloc.Description, runtimeInfo.CompatibilityShimLoaded,
                typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown"),
            new DataSummary(Path.GetFullPath(o.DataFolder), data.Train.Count, data.Test.Count, data.Subset.Count, data.Validation.Count,
                data.Train.ClassNames, data.Train.Channels, data.Train.Height, data.Train.Width),
            summaries, explanationSummary, reliability, files, total.Elapsed.TotalSeconds, generator);
        AtomicFile.WriteAllText(layout.Metrics, JsonSerializer.Serialize(metrics, AppJson.Options));
        ReportBuilder.Write(layout.Root, metrics);
        Done("Writing figures and report", layout.Report);
        return metrics;
    }

    private Dictionary<string, string> MethodOptions(MethodEntry entry)
        => entry.Options.Any(f => f.Flag == "internal-batch-size")
            ? new Dictionary<string, string> { ["--internal-batch-size"] = options.PairsPerChunk.ToString(System.Globalization.CultureInfo.InvariantCulture) }
            : [];

    private TrainedModel TrainModel(string name, ModelInfo info, ImageDataset train, ImageDataset heldOut, TorchContext ctx, CancellationToken cancel)
    {
        string stage = $"Training model {name}";
        var trainingOptions = new TrainingOptions(options.Epochs, options.BatchSize, Seed: options.Seed);
        trainingOptions.Validate(); // before the division below (batch size 0)
        torch.manual_seed(options.Seed);
        var model = new ImageClassifier(info, ctx.Device);
        var trainer = new Trainer(trainingOptions);
        int batches = (train.Count + options.BatchSize - 1) / options.BatchSize;
        Stage(stage, (double)options.Epochs * batches);
        var history = trainer.Train(model, train, heldOut, new SyncProgress<TrainingProgress>(p =>
            _observer.StageProgress(stage, (p.Epoch - 1) * p.Batches + p.Batch,
                $"epoch {p.Epoch}/{p.Epochs} loss {p.Loss:F3} acc {p.Accuracy:P1} {p.SamplesPerSecond:F0} img/s")), cancel);
        var last = history.Epochs[^1];
        Done(stage, $"held-out accuracy {last.HeldOutAccuracy:P2} after {history.Epochs.Count} epochs ({last.SamplesPerSecond:F0} img/s)");
        return new TrainedModel(name, model, history);
    }

    private void Stage(string name, double total) => _observer.StageStarted(name, total);
    private void Done(string name, string summary) => _observer.StageFinished(name, summary);
}

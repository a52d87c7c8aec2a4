using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Glassbox.Attribution;
using Glassbox.Attribution.Propagation;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.Engine;
using Glassbox.IO;
using Glassbox.Metrics.Agreement;
using Glassbox.Metrics.Axiomatic;
using Glassbox.Metrics.Faithfulness;
using Glassbox.Models;
using Glassbox.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Workflow;

/// <summary>
/// The reference workflow end to end: train a classifier on the training data and a second one on an 80 % split,
/// explain test images with DeepSHAP for every class, check the explanations (additivity, agreement of the two
/// models on the 20 % validation split, deletion against random order), and write figures, metrics and a report.
/// </summary>
public sealed class ReferenceWorkflow(DemoOptions options, IRunObserver? observer = null)
{
    private readonly IRunObserver _observer = observer ?? new SilentObserver();

    /// <summary>JSON settings for metrics.json.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Runs everything and returns the metrics (also written to OutputFolder/metrics.json).</summary>
    public RunMetrics Run(CancellationToken cancel = default)
    {
        var total = Stopwatch.StartNew();
        var o = options;
        var ctx = TorchContext.Create(o.Device, o.Threads, o.Seed);
        string outDir = Path.GetFullPath(o.OutputFolder);
        var layout = new OutputLayout(outDir);
        layout.Create();
        var files = new Dictionary<string, string>();

        // 1. Data.
        Stage("Loading data", 1);
        var train = MnistFormat.LoadFolder(o.DataFolder, "train");
        var test = MnistFormat.LoadFolder(o.DataFolder, "test");
        var (subsetIdx, valIdx) = StratifiedSplit.Split(train.Labels, 0.8, o.SplitSeed);
        var subset = train.Subset(subsetIdx);
        var validation = train.Subset(valIdx);
        var info = new ModelInfo(o.Architecture, train.Channels, train.Height, train.Width, train.ClassNames);
        Done("Loading data", $"{train.Count} training, {test.Count} test images; 80/20 split (seed {o.SplitSeed}): {subset.Count}/{validation.Count}");

        // 2. Two models.
        var modelA = TrainModel("Training model A", info, train, test, ctx, cancel);
        var modelB = TrainModel("Training model B", info, subset, validation, ctx, cancel);
        Checkpoint.Save(layout.ModelA, modelA.Model, modelA.History);
        Checkpoint.Save(layout.ModelB, modelB.Model, modelB.History);
        files["checkpointA"] = "model-a/";
        files["checkpointB"] = "model-b/";
        var summaries = new List<ModelSummary>
        {
            Summarise("A", "model-a", "all training images", train.Count, modelA, test, validation),
            Summarise("B", "model-b", $"80 % of the training images (seed {o.SplitSeed})", subset.Count, modelB, test, validation),
        };

        // 3. DeepSHAP for the plotted test images, all classes, model A.
        var bgIdx = SampleIndices(subset.Count, o.BackgroundSize, o.Seed);
        var background = subset.Subset(bgIdx);
        using var bgTensor = Trainer.ToTensor(background, ctx.Device);
        var shapOptions = new DeepShapOptions(PairsPerChunk: o.PairsPerChunk);
        var explainerA = new DeepShap(modelA.Model, bgTensor, shapOptions);
        int plotCount = Math.Min(o.PlotImages, test.Count);
        var plotIdx = Enumerable.Range(0, plotCount).ToArray();
        var plotSet = test.Subset(plotIdx);
        Stage("DeepSHAP (all classes)", plotCount);
        var sw = Stopwatch.StartNew();
        Explanation plotExplanation;
        using (var x = Trainer.ToTensor(plotSet, ctx.Device))
            plotExplanation = explainerA.Explain(x, TargetSelection.AllClasses, Progress("DeepSHAP (all classes)"), cancel);
        double shapSeconds = sw.Elapsed.TotalSeconds;
        var probs = Probabilities(modelA.Model, plotSet);
        var predictions = Enumerable.Range(0, plotCount).Select(i => ArgMax(probs, i, info.Classes)).ToArray();
        var plotAdditivity = CompletenessReport.Of(plotExplanation);
        Done("DeepSHAP (all classes)", $"{plotCount} images × {info.Classes} classes in {shapSeconds:F1} s; max additivity error {plotAdditivity.Max:E2}");

        NpyFile.Write(layout.Attribution("plot_inputs.npy"), plotSet.Pixels, [plotCount, info.Channels, info.Height, info.Width]);
        NpyFile.Write(layout.Attribution("plot_shap_values.npy"), plotExplanation.Values, plotExplanation.Shape);
        NpyFile.Write(layout.Attribution("expected_value.npy"), explainerA.ExpectedValue, [info.Classes]);
        NpyFile.Write(layout.Attribution("plot_labels.npy"), plotSet.Labels, [plotCount]);
        files["plotInputs"] = "attributions/plot_inputs.npy";
        files["plotShapValues"] = "attributions/plot_shap_values.npy";
        files["expectedValue"] = "attributions/expected_value.npy";

        // 4. Reliability: both models explain the validation split (true class).
        int relCount = o.ReliabilityImages <= 0 ? validation.Count : Math.Min(o.ReliabilityImages, validation.Count);
        var relSet = validation.Subset(SampleIndices(validation.Count, relCount, o.Seed + 1));
        var explainerB = new DeepShap(modelB.Model, bgTensor, shapOptions);
        var relTargets = TargetSelection.PerInput(relSet.Labels);
        sw.Restart();
        Explanation relA, relB;
        using (var x = Trainer.ToTensor(relSet, ctx.Device))
        {
            Stage("Reliability: explaining with model A", relCount);
            relA = explainerA.Explain(x, relTargets, Progress("Reliability: explaining with model A"), cancel);
            Done("Reliability: explaining with model A", $"{relCount} validation images");
            Stage("Reliability: explaining with model B", relCount);
            relB = explainerB.Explain(x, relTargets, Progress("Reliability: explaining with model B"), cancel);
            Done("Reliability: explaining with model B", $"{relCount} validation images");
        }
        NpyFile.Write(layout.Attribution("validation_inputs.npy"), relSet.Pixels, [relCount, info.Channels, info.Height, info.Width]);
        NpyFile.Write(layout.Attribution("validation_labels.npy"), relSet.Labels, [relCount]);
        NpyFile.Write(layout.Attribution("validation_shap_model_a.npy"), relA.Values, relA.Shape);
        NpyFile.Write(layout.Attribution("validation_shap_model_b.npy"), relB.Values, relB.Shape);
        files["validationShapA"] = "attributions/validation_shap_model_a.npy";
        files["validationShapB"] = "attributions/validation_shap_model_b.npy";

        Stage("Reliability: agreement and deletion", 2);
        var rhos = new double[relCount];
        var overlaps = new double[relCount];
        for (int i = 0; i < relCount; i++)
        {
            rhos[i] = SpearmanRankCorrelation.Compute(relA.Map(i, 0), relB.Map(i, 0));
            overlaps[i] = TopFractionOverlap.Compute(relA.Map(i, 0), relB.Map(i, 0), 0.1);
        }
        var delOptions = new DeletionOptions(RandomSeed: o.Seed);
        var delA = Deletion.Evaluate(modelA.Model, relSet.Pixels, relA.Values, relSet.Labels, delOptions);
        _observer.StageProgress("Reliability: agreement and deletion", 1);
        var delB = Deletion.Evaluate(modelB.Model, relSet.Pixels, relB.Values, relSet.Labels, delOptions);
        var finiteRhos = rhos.Where(double.IsFinite).Order().ToArray();
        var reliability = new ReliabilitySummary(relCount, "true label",
            finiteRhos.Length == 0 ? double.NaN : finiteRhos.Average(),
            finiteRhos.Length == 0 ? double.NaN : finiteRhos[finiteRhos.Length / 2],
            overlaps.Average(), 0.1,
            CompletenessReport.Of(relA), CompletenessReport.Of(relB), delA, delB, sw.Elapsed.TotalSeconds);
        Done("Reliability: agreement and deletion",
            $"Spearman {reliability.SpearmanMean:F3}, top-10 % overlap {reliability.TopTenPercentOverlapMean:F3}; deletion AUC A {delA.AttributionAuc:F3} vs random {delA.RandomAuc:F3}");

        // 5. Figures, metrics and report.
        Stage("Writing figures and report", 1);
        var shapSummary = new DeepShapSummary(background.Count, "logits", plotIdx, plotSet.Labels, predictions, explainerA.ExpectedValue,
            plotAdditivity, plotCount / Math.Max(1e-9, shapSeconds), shapSeconds);
        var figures = new DemoFigures(layout);
        foreach (var (k, v) in figures.WriteAll(plotSet, plotExplanation, probs, predictions, summaries, reliability, relA, relB))
            files[k] = v;
        var runtimeInfo = NativeRuntime.EnsureInitialized();
        var metrics = new RunMetrics(DateTime.UtcNow, o,
            new RuntimeSummary(ctx.Device.type.ToString().ToLowerInvariant(), ctx.Threads, runtimeInfo.Malloc.Description, runtimeInfo.CompatibilityShimLoaded,
                typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown"),
            new DataSummary(Path.GetFullPath(o.DataFolder), train.Count, test.Count, subset.Count, validation.Count, train.ClassNames, train.Channels, train.Height, train.Width),
            summaries, shapSummary, reliability, files, total.Elapsed.TotalSeconds);
        AtomicFile.WriteAllText(layout.Metrics, JsonSerializer.Serialize(metrics, JsonOptions));
        ReportBuilder.Write(outDir, metrics);
        Done("Writing figures and report", layout.Report);
        modelA.Model.Dispose();
        modelB.Model.Dispose();
        return metrics;
    }

    private (ImageClassifier Model, TrainingHistory History) TrainModel(string stage, ModelInfo info, ImageDataset train, ImageDataset heldOut, TorchContext ctx, CancellationToken cancel)
    {
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
        return (model, history);
    }

    private static ModelSummary Summarise(string name, string folder, string trainedOn, int count, (ImageClassifier Model, TrainingHistory History) m, ImageDataset test, ImageDataset validation)
        => new(name, folder, trainedOn, count, Trainer.Evaluate(m.Model, test).Accuracy, Trainer.Evaluate(m.Model, validation).Accuracy, m.History);

    private static float[] Probabilities(ImageClassifier model, ImageDataset data)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = Trainer.ToTensor(data, model.Device);
        return model.Probabilities(x).cpu().data<float>().ToArray();
    }

    private static int ArgMax(float[] probs, int row, int classes)
    {
        int best = 0;
        for (int c = 1; c < classes; c++) if (probs[row * classes + c] > probs[row * classes + best]) best = c;
        return best;
    }

    /// <summary><paramref name="count"/> distinct indices below <paramref name="n"/>, drawn with a seeded shuffle.</summary>
    public static int[] SampleIndices(int n, int count, int seed)
    {
        var idx = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(idx);
        return idx.Take(Math.Min(count, n)).ToArray();
    }

    private void Stage(string name, double total) => _observer.StageStarted(name, total);
    private void Done(string name, string summary) => _observer.StageFinished(name, summary);
    private IProgress<(int Done, int Total)> Progress(string stage) => new SyncProgress<(int Done, int Total)>(p => _observer.StageProgress(stage, p.Done));

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Data;
using Glassbox.Engine;
using Glassbox.IO;
using Glassbox.Metrics;
using Glassbox.Metrics.Faithfulness;
using Glassbox.Models;
using Glassbox.Training;
using TorchSharp;

namespace Glassbox.App;

/// <summary>What <c>glassbox benchmark --roar</c> runs.</summary>
/// <param name="Methods">Attribution methods whose rankings are compared (catalog names).</param>
/// <param name="Data">MNIST-format folder (train and test splits).</param>
/// <param name="OutputFolder">Folder for roar.json, roar.csv and roar.png.</param>
/// <param name="TrainImages">Training images (the first ones); Hooker et al. use the whole set.</param>
/// <param name="TestImages">Test images (the first ones).</param>
/// <param name="Epochs">Epochs of every trained model (the explained one and each retrained one).</param>
/// <param name="Percentages">Removal shares in percent; null = Hooker et al.'s 10, 30, 50, 70, 90.</param>
/// <param name="Arch">Architecture of the explained and the retrained models.</param>
/// <param name="ExplainPredicted">Rank pixels for the predicted class instead of the true label.</param>
/// <param name="Seed">Seeds training, random removal and background sampling.</param>
/// <param name="Threads">libtorch threads (0 = default).</param>
public sealed record RoarRequest(
    IReadOnlyList<string> Methods,
    string Data,
    string OutputFolder,
    int TrainImages = RoarRequest.DefaultTrainImages,
    int TestImages = RoarRequest.DefaultTestImages,
    int Epochs = 1,
    int[]? Percentages = null,
    string Arch = Architecture.ReferenceCnn,
    bool ExplainPredicted = false,
    int Seed = 0,
    int Threads = 0)
{
    /// <summary>Training images unless others are asked for (a run of minutes on two cores).</summary>
    public const int DefaultTrainImages = 2000;

    /// <summary>Test images unless others are asked for.</summary>
    public const int DefaultTestImages = 500;
}

/// <summary>One line of the ROAR chart: test accuracy of the retrained model per removal share (0 % = unmodified).</summary>
/// <param name="Method">Attribution method, or "random" for the random-removal baseline.</param>
/// <param name="Percents">Removal shares in percent, ascending, starting at 0.</param>
/// <param name="Accuracy">Test accuracy at each share.</param>
/// <param name="MeanGapToRandom">Mean over the shares above 0 of random accuracy minus this accuracy (positive = degrades faster than random; 0 for random).</param>
public sealed record RoarCurve(string Method, int[] Percents, double[] Accuracy, double MeanGapToRandom);

/// <summary>The outcome of <see cref="RoarJob.Run"/>, as written to roar.json.</summary>
/// <param name="Request">The settings (folders as full paths).</param>
/// <param name="TrainImages">Training images used.</param>
/// <param name="TestImages">Test images used.</param>
/// <param name="ExplainedModelAccuracy">Test accuracy of the explained model (trained on the unmodified images).</param>
/// <param name="Curves">One per method, then the random baseline.</param>
/// <param name="Warning">The class-information-leakage caveat (Rong et al. 2022), stronger when a method stays above random.</param>
/// <param name="Seconds">Wall time of the run.</param>
/// <param name="Files">The files written, by kind.</param>
public sealed record RoarReport(RoarRequest Request, int TrainImages, int TestImages, double ExplainedModelAccuracy,
    IReadOnlyList<RoarCurve> Curves, string Warning, double Seconds, IReadOnlyDictionary<string, string> Files);

/// <summary>
/// <c>glassbox benchmark --roar</c>: ROAR (Hooker et al. 2019) for several methods on one data folder. Trains the explained
/// model, then for every method runs <see cref="Roar"/> (one retrained model per removal share); the random-removal
/// baseline and the unmodified point do not depend on the method and are trained once. Writes roar.json, roar.csv and
/// roar.png (accuracy against removed share, one line per method plus random), each atomically.
/// </summary>
public static class RoarJob
{
    /// <summary>The curve name of the random-removal baseline.</summary>
    public const string RandomName = "random";

    /// <summary>Files the job writes into its folder.</summary>
    public static IReadOnlySet<string> FileNames { get; } = new HashSet<string>(StringComparer.Ordinal) { "roar.json", "roar.csv", "roar.png" };

    /// <summary>Runs the request; bad input throws a <see cref="GlassboxException"/> before any training.</summary>
    public static RoarReport Run(RoarRequest r, IRunObserver? observer = null, CancellationToken cancel = default, MethodCatalog? catalog = null)
    {
        observer ??= new SilentObserver();
        catalog ??= MethodCatalog.Default;
        var clock = Stopwatch.StartNew();
        OutputLayout.CheckFolderName(r.OutputFolder);
        RunLimits.CheckThreads(r.Threads);
        if (r.Methods.Count == 0) throw new GlassboxException("ROAR compares methods; name them with --methods a,b (see 'glassbox methods').");
        if (r.Methods.Any(m => m.Trim().Equals(RandomName, StringComparison.OrdinalIgnoreCase)))
            throw new GlassboxException($"'{RandomName}' is ROAR's own baseline and always included; drop it from --methods.");
        var entries = r.Methods.Select(catalog.Get).DistinctBy(e => e.Name).ToList();
        if (r.TrainImages < 1 || r.TestImages < 1)
            throw new GlassboxException($"ROAR needs at least one training and one test image, not {r.TrainImages} and {r.TestImages}.");
        var training = new TrainingOptions(Epochs: r.Epochs, Seed: r.Seed);
        training.Validate();
        var percents = (r.Percentages ?? new RoarOptions().RemovalPercentages).Distinct().Order().ToArray();
        if (percents.Length == 0 || percents.Any(p => p is < 1 or > 100))
            throw new GlassboxException($"ROAR removal percentages must be between 1 and 100, not [{string.Join(", ", r.Percentages ?? [])}].");

        string folder = AtomicFolder.CheckTarget(r.OutputFolder, IsOwnEntry);
        var train = MnistFormat.LoadFolder(r.Data, "train").Take(r.TrainImages);
        var test = MnistFormat.LoadFolder(r.Data, "test").Take(r.TestImages);
        using var runLock = OutputLock.Acquire(folder);
        var ctx = TorchContext.Create("cpu", r.Threads, r.Seed);
        var info = new ModelInfo(r.Arch, train.Channels, train.Height, train.Width, train.ClassNames);
        ImageClassifier Fresh() => new(info, ctx.Device);

        // Units: training the explained model, then per method one for explaining and one per retrained model.
        int retrains(bool first) => percents.Length * (first ? 2 : 1) + (first ? 1 : 0);
        double total = 1 + entries.Select((_, i) => 1 + retrains(i == 0)).Sum();
        observer.StageStarted("roar", total);
        double done = 0;

        using var explained = Fresh();
        torch.manual_seed(r.Seed);
        new Trainer(training).Train(explained, train, null,
            new SyncProgress<TrainingProgress>(p => observer.StageProgress("roar", done + Within(p), $"explained model: epoch {p.Epoch}/{p.Epochs}")), cancel);
        done = 1;
        double explainedAccuracy = Trainer.Evaluate(explained, test).Accuracy;
        observer.StageProgress("roar", done, $"explained model: {explainedAccuracy:P1} test accuracy");

        var results = new List<RoarResult>();
        for (int i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            MethodCatalog.CheckModel(entry, explained);
            var settings = MethodFactory.Bind(entry, new Dictionary<string, string>(), explained, OutputSpace.Logits, r.Seed);
            var (method, _) = MethodFactory.Build(settings, explained, () => Background(train, info, r.Seed, explained.Device));
            ExplainFunction explain = (m, x, t, c) => method.Attribute(x, t, null, c);
            var options = new RoarOptions(percents, r.TrainImages, r.TestImages, training, CompareRandom: i == 0, IncludeUnmodified: i == 0,
                ExplainPredicted: r.ExplainPredicted, Seed: r.Seed);
            double start = done;
            var progress = new SyncProgress<RoarProgress>(p =>
            {
                if (p.Stage == "explain")
                    observer.StageProgress("roar", start + (double)p.Step / p.Steps, $"{entry.Name}: ranking pixels {p.Step}/{p.Steps}");
                else
                    observer.StageProgress("roar", start + p.Step + (p.Training is null ? 0 : Within(p.Training)),
                        $"{entry.Name}: retraining {p.Step}/{p.Steps} ({(p.Random ? "random" : "ranked")}, {p.Percent} % removed)");
            });
            torch.manual_seed(r.Seed);
            results.Add(new Roar(options).Run(explained, explain, Fresh, train, test, progress, cancel));
            done = start + 1 + retrains(i == 0);
            observer.StageProgress("roar", done, $"{entry.Name}: done");
        }

        var curves = Curves(entries.Select(e => e.Name).ToList(), results);
        var report = new RoarReport(r with { Data = Path.GetFullPath(r.Data), OutputFolder = folder, Percentages = percents },
            train.Count, test.Count, explainedAccuracy, curves, Warning(curves), 0, new Dictionary<string, string>());
        Directory.CreateDirectory(folder);
        var files = new Dictionary<string, string> { ["json"] = "roar.json", ["csv"] = "roar.csv", ["chart"] = "roar.png" };
        RoarChart.Save(Path.Combine(folder, files["chart"]), curves, $"ROAR: {train.Count} training, {test.Count} test images, {r.Epochs} epoch{(r.Epochs == 1 ? "" : "s")}");
        AtomicFile.WriteAllText(Path.Combine(folder, files["csv"]), Csv(curves));
        report = report with { Seconds = clock.Elapsed.TotalSeconds, Files = files };
        AtomicFile.WriteAllText(Path.Combine(folder, files["json"]), JsonSerializer.Serialize(report, AppJson.Options));
        observer.StageFinished("roar", $"{entries.Count} method{(entries.Count == 1 ? "" : "s")} × {percents.Length} removal shares in {report.Seconds:F0} s");
        return report;
    }

    /// <summary>True for a name the output folder may hold: the job's files and the temporary files of their atomic writes.</summary>
    public static bool IsOwnEntry(string name) => FileNames.Contains(name) || (name.StartsWith('.') && name.EndsWith(".tmp", StringComparison.Ordinal));

    /// <summary>
    /// The caveat written with every result. A method whose removal keeps accuracy above random removal almost always
    /// leaks the class through the shape of the removed region (Rong et al. 2022, "A Consistent and Efficient Evaluation
    /// Strategy for Attribution Methods"): the retrained model then reads the mask, and ROAR measures the leak, not faithfulness.
    /// </summary>
    public static string Warning(IReadOnlyList<RoarCurve> curves)
    {
        var above = curves.Where(c => c.Method != RandomName && c.MeanGapToRandom < 0).Select(c => c.Method).ToList();
        return above.Count > 0
            ? $"Removing the pixels ranked by {string.Join(", ", above)} keeps accuracy ABOVE random removal: the removal mask encodes the class "
              + "(class-information leakage, Rong et al. 2022), so for these methods ROAR measures the leak, not faithfulness; prefer ROAD (glassbox evaluate --metrics road)."
            : "ROAR's removal mask can encode the class (class-information leakage, Rong et al. 2022); a gap to random may partly reflect the mask's shape, so check against ROAD (glassbox evaluate --metrics road).";
    }

    /// <summary>The curves of the methods (0 % = the unmodified model) and the random baseline's curve last.</summary>
    private static List<RoarCurve> Curves(IReadOnlyList<string> names, IReadOnlyList<RoarResult> results)
    {
        var first = results[0];
        int[] xs = [0, .. first.Points.Select(p => p.Percent)];
        double[] random = [first.UnmodifiedAccuracy, .. first.Points.Select(p => p.RandomAccuracy)];
        var curves = new List<RoarCurve>();
        for (int i = 0; i < results.Count; i++)
        {
            double[] acc = [first.UnmodifiedAccuracy, .. results[i].Points.Select(p => p.Accuracy)];
            double gap = Enumerable.Range(1, xs.Length - 1).Average(k => random[k] - acc[k]);
            curves.Add(new RoarCurve(names[i], xs, acc, gap));
        }
        curves.Add(new RoarCurve(RandomName, xs, random, 0));
        return curves;
    }

    /// <summary>Long-format CSV: method, removed_percent, accuracy.</summary>
    public static string Csv(IReadOnlyList<RoarCurve> curves)
    {
        var sb = new StringBuilder("method,removed_percent,accuracy\n");
        foreach (var c in curves)
            for (int k = 0; k < c.Percents.Length; k++)
                sb.Append(c.Method).Append(',').Append(c.Percents[k].ToString(CultureInfo.InvariantCulture)).Append(',')
                  .Append(c.Accuracy[k].ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }

    private static double Within(TrainingProgress p)
        => Math.Clamp(((p.Epoch - 1) * (double)Math.Max(1, p.Batches) + p.Batch) / (p.Epochs * (double)Math.Max(1, p.Batches)), 0, 1);

    private static torch.Tensor Background(ImageDataset train, ModelInfo info, int seed, torch.Device device)
    {
        var background = train.Subset(Sampling.SampleIndices(train.Count, Math.Min(EvaluateJob.BackgroundSize, train.Count), seed));
        return torch.tensor(background.Pixels, [background.Count, info.Channels, info.Height, info.Width], device: device);
    }
}

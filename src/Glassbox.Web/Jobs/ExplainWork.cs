using Glassbox.App;
using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Data;
using Glassbox.Engine;
using Glassbox.IO;
using Glassbox.Metrics;
using Glassbox.Metrics.Faithfulness;
using Glassbox.Models;
using Glassbox.Models.Sources;
using Glassbox.Web.Roots;
using TorchSharp;

namespace Glassbox.Web.Jobs;

/// <summary>What POST /api/jobs asks for: a model, one image (a dataset image or an upload), a method with its options, and targets.</summary>
/// <param name="Model">A model name from GET /api/models.</param>
/// <param name="Method">A method name from GET /api/methods (ignored for a generator, which draws a sample grid).</param>
/// <param name="Options">Method options by flag (without dashes), as text, e.g. { "n-steps": "32" }.</param>
/// <param name="Dataset">A dataset name from GET /api/datasets (with <paramref name="Index"/>).</param>
/// <param name="Index">The image's index in <paramref name="Dataset"/>.</param>
/// <param name="Upload">An upload id from POST /api/uploads (instead of a dataset image).</param>
/// <param name="Classes">"predicted", "all", or class indices/names separated by commas.</param>
/// <param name="Background">Dataset whose images form the background of methods that need one; default: the image's dataset, else the first.</param>
/// <param name="Metrics">Metric names (GET /api/metrics); null runs the default fast ones.</param>
/// <param name="Seed">Seeds background sampling and random methods.</param>
/// <param name="TopK">Classes shown in the image plot (by probability); 0 shows every explained class.</param>
internal sealed record ExplainJobRequest(
    string Model, string Method = "saliency", Dictionary<string, string>? Options = null, string? Dataset = null, int? Index = null,
    string? Upload = null, string Classes = "predicted", string? Background = null, string[]? Metrics = null, int Seed = 0, int TopK = 3);

/// <summary>
/// The explain job of the explorer, composed only of App-layer stages: <see cref="ExplainStage"/> → <see cref="CheckStage"/>
/// → <see cref="WriteStage"/> (the same files as <c>glassbox explain</c>), then a few fast metrics from <see cref="MetricCatalog"/>.
/// Everything it reads was resolved inside the configured roots before it starts.
/// </summary>
internal static class ExplainWork
{
    /// <summary>Background images sampled (SHAP's usual 100).</summary>
    public const int BackgroundSize = 100;

    /// <summary>Metrics run when the request names none: cheap ones (one pass over a short curve, or none).</summary>
    public static IReadOnlyList<string> DefaultMetrics { get; } = ["deletion", "insertion", "sparseness", "complexity"];

    /// <summary>The input image as the job will read it: a file path (PNG/JPEG or .npy) and a display name.</summary>
    public sealed record ResolvedInput(string Path, string Name, int? Label, string? LabelName);

    /// <summary>Checks what can be checked before queueing (names, method, option kinds, metric names); throws <see cref="GlassboxException"/>.</summary>
    public static (MethodEntry Entry, string ModelPath, DatasetListing? Background, IMetric[] Metrics) Prepare(
        ExplainJobRequest r, ModelShelf models, DatasetShelf datasets, MethodCatalog methods, MetricCatalog metrics)
    {
        var (listing, path) = models.Get(r.Model);
        if (listing.IsGenerator) throw new GlassboxException($"'{r.Model}' is a generator checkpoint; it draws samples (POST /api/generate), it is not explained.");
        var entry = methods.Get(r.Method);
        foreach (var (flag, text) in r.Options ?? new Dictionary<string, string>())
        {
            var field = entry.Options.Concat(MethodEntry.NoiseTunnelSchema.Fields).FirstOrDefault(f => f.Flag == flag.TrimStart('-').ToLowerInvariant());
            if (field?.Kind is "baselines" or "feature-mask" && text.Trim().EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
                throw new GlassboxException($"--{field.Flag} cannot name a file in the explorer (it reads only the model and data roots); use one of its other forms ({field.Help}).");
        }
        var background = r.Background is { } b ? datasets.Get(b) : r.Dataset is { } d ? datasets.Get(d) : datasets.List().FirstOrDefault();
        var chosen = (r.Metrics ?? [.. DefaultMetrics]).Select(m => metrics.Get(m).Metric).ToArray();
        foreach (var m in chosen)
            if (m is not IExplanationMetric || m is IReexplainingMetric)
                throw new GlassboxException($"Metric '{m.Name}' needs more than one explanation (re-explaining, masks or a second map); the explorer runs the single-map metrics of GET /api/metrics.");
        if (r.TopK < 0) throw new GlassboxException($"topK must be 0 (every explained class) or positive, not {r.TopK}.");
        return (entry, path, background, chosen);
    }

    /// <summary>Runs the job; writes into <paramref name="folder"/> and returns what the API shows.</summary>
    public static object Run(ExplainJobRequest r, MethodEntry entry, string modelPath, ResolvedInput input, DatasetListing? background,
        DatasetShelf datasets, IMetric[] metrics, string folder, IRunObserver observer, CancellationToken cancel)
    {
        var ctx = TorchContext.Create("cpu", 0, r.Seed);
        using var model = ModelLoader.Load(modelPath, ctx.Device);
        MethodCatalog.CheckModel(entry, model);
        foreach (var m in metrics) MetricCatalog.Default.CheckModel(m, model);
        var info = model.Info;
        using var inputs = InputImages.Open(input.Path, info);
        cancel.ThrowIfCancellationRequested();

        var explained = ExplainStage.Run(model, entry, r.Options ?? new Dictionary<string, string>(), inputs,
            predictions => ExplainJob.ParseClasses(r.Classes, info.ClassNames, predictions), OutputSpace.Logits, r.Seed,
            () => Background(background, datasets, info, r.Seed, ctx.Device), ChunkPlan.AllAtOnce, observer, cancel: cancel);
        cancel.ThrowIfCancellationRequested();
        var checks = CheckStage.Run(model, explained, new DeletionOptions(RandomSeed: r.Seed), observer);
        var layout = new OutputLayout(Path.Combine(folder, "out"));
        var about = new Dictionary<string, object?>
        {
            ["noiseTunnel"] = explained.Settings.NoiseTunnel is { } nt ? OptionValues.Format(nt.Type) : null,
            ["options"] = explained.Settings.Describe(), ["model"] = r.Model, ["modelKind"] = model.Kind.ToString(), ["architecture"] = info.Architecture,
        };
        var warnings = new List<string>();
        var files = WriteStage.Write(layout, explained, checks, r.TopK, about, plotRows: 1, warn: warnings.Add);

        var e = explained.Explanation;
        var scores = new List<object>();
        observer.StageStarted("metrics", metrics.Length);
        using (var scope = torch.NewDisposeScope())
        {
            var x = torch.tensor(e.Inputs!, [e.Count, info.Channels, info.Height, info.Width], device: model.Device);
            for (int i = 0; i < metrics.Length; i++)
            {
                cancel.ThrowIfCancellationRequested();
                var result = ((IExplanationMetric)metrics[i]).Evaluate(model, x, e, cancel);
                scores.Add(new { name = metrics[i].Name, category = metrics[i].Category.ToString(), higherIsBetter = metrics[i].HigherIsBetter,
                    mean = Finite(result.Mean), scores = result.Scores.Select(Finite).ToArray() });
                observer.StageProgress("metrics", i + 1);
            }
        }
        observer.StageFinished("metrics", $"{metrics.Length} metrics");

        var additivity = explained.Additivity;
        int classes = info.Classes;
        return new
        {
            model = r.Model, modelKind = model.Kind.ToString(), method = entry.Name, family = entry.Family,
            input = new { name = input.Name, label = input.Label, labelName = input.LabelName },
            shape = e.Shape, classNames = info.ClassNames,
            prediction = explained.Predictions[0],
            probabilities = explained.Probabilities.AsSpan(0, classes).ToArray(),
            targets = e.Targets, outputs = e.Outputs.Select(Finite).ToArray(), baseValues = e.BaseValues.Select(Finite).ToArray(),
            settings = explained.Settings.Describe(), seconds = explained.Seconds,
            check = additivity is null ? null : new
            {
                kind = e.AdditivityGuaranteed ? "additivity" : "convergence delta",
                guaranteed = e.AdditivityGuaranteed, holds = !e.AdditivityGuaranteed || additivity.Holds,
                maxAbs = Finite(additivity.Max), maxRelative = Finite(additivity.MaxRelative), tolerance = additivity.Tolerance,
            },
            deletion = new
            {
                attributionAuc = Finite(checks.Deletion.AttributionAuc), randomAuc = Finite(checks.Deletion.RandomAuc),
                fasterThanRandom = checks.Deletion.AttributionAuc < checks.Deletion.RandomAuc,
            },
            metrics = scores,
            files = files.ToDictionary(f => f.Key, f => f.Value),
            warnings,
        };
    }

    private static double? Finite(double v) => double.IsFinite(v) ? v : null;

    /// <summary>Up to <see cref="BackgroundSize"/> images of <paramref name="d"/> (its training split when it has one), seeded.</summary>
    private static torch.Tensor Background(DatasetListing? d, DatasetShelf datasets, ModelInfo info, int seed, torch.Device device)
    {
        if (d is null) throw new GlassboxException("This method needs background images, but the data root has no dataset folder. Add one, or pick a method without a baseline distribution.");
        ImageDataset all = d.Kind == "mnist"
            ? MnistFormat.LoadFolder(d.Path, DatasetShelf.MnistTrainFolder(d) is null ? "test" : "train")
            : ImageFolder.Load(d.Path, new ImageLoadOptions(info.Channels, info.Height, info.Width));
        if (all.Channels != info.Channels || all.Height != info.Height || all.Width != info.Width)
            throw new GlassboxException($"Background dataset '{d.Name}' holds {all.Channels}×{all.Height}×{all.Width} images; the model expects {info.Channels}×{info.Height}×{info.Width}. Pick another background dataset.");
        var sample = all.Subset(Sampling.SampleIndices(all.Count, Math.Min(BackgroundSize, all.Count), seed));
        return torch.tensor(sample.Pixels, [sample.Count, info.Channels, info.Height, info.Width], device: device);
    }

    /// <summary>The job's input as a file: a dataset image (an MNIST image written as .npy into <paramref name="folder"/>) or an upload.</summary>
    public static ResolvedInput Input(ExplainJobRequest r, DatasetShelf datasets, UploadStore uploads, string folder)
    {
        if (r.Upload is { } id)
        {
            if (r.Dataset is not null) throw new GlassboxException("Give either an upload or a dataset image, not both.");
            var path = uploads.PathOf(id);
            return new ResolvedInput(path, $"upload {id}", null, null);
        }
        if (r.Dataset is null || r.Index is null) throw new GlassboxException("No image given: pass dataset and index (GET /api/datasets), or upload (POST /api/uploads).");
        var d = datasets.Get(r.Dataset);
        var image = datasets.Image(d, r.Index.Value);
        if (image.File is { } file) return new ResolvedInput(file, image.Name, image.Label, image.LabelName);
        Directory.CreateDirectory(folder);
        string npy = Path.Combine(folder, "input.npy");
        NpyFile.Write(npy, image.Pixels!, [1, image.Channels, image.Height, image.Width]);
        return new ResolvedInput(npy, image.Name, image.Label, image.LabelName);
    }
}

using System.Diagnostics;
using System.Text.Json;
using Glassbox.Engine;
using Glassbox.Generation;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Models.Sources;

namespace Glassbox.App.Generation.Explain;

/// <summary>What <see cref="ExplainGeneratorJob"/> wrote.</summary>
/// <param name="What">The kind run.</param>
/// <param name="Folder">The output folder (full path).</param>
/// <param name="Figures">Pictures with captions.</param>
/// <param name="Files">Every file written, relative to the folder.</param>
/// <param name="Summary">The numbers the kind measured.</param>
/// <param name="Seconds">Wall time of the run.</param>
public sealed record ExplainGeneratorResult(string What, string Folder, IReadOnlyList<GeneratorFigure> Figures,
    IReadOnlyList<string> Files, IReadOnlyDictionary<string, object?> Summary, double Seconds);

/// <summary>
/// <c>glassbox explain-generator</c>: loads the generator (and the classifier, when given), checks that they fit each
/// other, runs one <see cref="IGeneratorExplanation"/> and writes its files plus <see cref="JsonFile"/> into the output
/// folder as one unit (a failed run leaves the previous folder untouched).
/// </summary>
public static class ExplainGeneratorJob
{
    /// <summary>The run's description: kind, settings, the kind's numbers, figures and files.</summary>
    public const string JsonFile = "explain-generator.json";

    private static readonly HashSet<string> OwnExtensions = new(StringComparer.OrdinalIgnoreCase) { ".png", ".gif", ".npy", ".json", ".html", ".csv" };

    /// <summary>Runs <paramref name="request"/>; <paramref name="device"/> is where the models are loaded.</summary>
    public static ExplainGeneratorResult Run(ExplainGeneratorRequest request, IRunObserver? observer = null, CancellationToken cancel = default,
        string device = "cpu", int threads = 0)
    {
        var clock = Stopwatch.StartNew();
        request.Validate();
        observer ??= new SilentObserver();
        var kind = GeneratorExplanations.Find(request.What);
        if (!Directory.Exists(request.Generator))
            throw new GlassboxException($"The generator checkpoint folder '{request.Generator}' does not exist; pass the --out folder of train-generator.");
        if (kind.NeedsClassifier && string.IsNullOrWhiteSpace(request.Classifier))
            throw new GlassboxException($"--what {kind.What} explains a classifier's view of generated images: pass --classifier <checkpoint> (train one with `glassbox train`).");
        if (request.Classifier is string c && !Directory.Exists(c) && !File.Exists(c))
            throw new GlassboxException($"The classifier '{c}' does not exist. Train one with `glassbox train` or pass a model file.");

        string folder = AtomicFolder.CheckTarget(request.Output, IsOwnEntry);
        using var runLock = OutputLock.Acquire(folder);
        var ctx = TorchContext.Create(device, threads, request.Seed);
        var (generator, metadata) = GeneratorCheckpoint.Load(request.Generator);
        using var gen = generator;
        if (metadata.Training is not { Epochs.Count: > 0 })
            throw new GlassboxException($"The generator in '{request.Generator}' has no training history: it was never trained. Train it with `glassbox train-generator` first.");
        gen.SetTraining(false);
        using var classifier = request.Classifier is string path ? ModelLoader.Load(path, ctx.Device) : null;
        if (classifier is not null) CheckFits(gen, classifier, request);

        ExplainGeneratorResult? result = null;
        AtomicFolder.Write(folder, temp =>
        {
            var context = new GeneratorExplanationContext(request, gen, metadata, classifier, temp, observer, cancel);
            var produced = kind.Run(context);
            double seconds = clock.Elapsed.TotalSeconds;
            var files = produced.Files.Concat(produced.Figures.Select(f => f.File)).Append(JsonFile).Distinct().ToList();
            foreach (string f in files.Where(f => f != JsonFile))
                if (!File.Exists(Path.Combine(temp, f)))
                    throw new InvalidOperationException($"--what {kind.What} listed '{f}' but did not write it.");
            var json = new Dictionary<string, object?>
            {
                ["format"] = "glassbox-explain-generator",
                ["what"] = kind.What,
                ["generator"] = Path.GetFullPath(request.Generator), ["generatorKind"] = metadata.Kind,
                ["latentSize"] = gen.LatentSize, ["generatorClasses"] = gen.Classes,
                ["classifier"] = request.Classifier is string cl ? Path.GetFullPath(cl) : null,
                ["settings"] = new Dictionary<string, object?>
                {
                    ["n"] = request.Count, ["seed"] = request.Seed, ["target"] = request.Target, ["data"] = request.Data, ["input"] = request.Input,
                    ["options"] = request.Options ?? new Dictionary<string, string>(),
                },
                ["summary"] = produced.Summary,
                ["figures"] = produced.Figures,
                ["files"] = files,
                ["seconds"] = seconds,
            };
            AtomicFile.WriteAllText(Path.Combine(temp, JsonFile), JsonSerializer.Serialize(json, AppJson.Options));
            result = new ExplainGeneratorResult(kind.What, Path.GetFullPath(request.Output), produced.Figures, files, produced.Summary, seconds);
        }, f => File.Exists(Path.Combine(f, JsonFile)), IsOwnEntry);
        return result!;
    }

    /// <summary>The generator's images must be the classifier's input, and a conditional generator's classes its classes.</summary>
    internal static void CheckFits(IGenerativeModel gen, IImageModel classifier, ExplainGeneratorRequest request)
    {
        var info = classifier.Info;
        if (gen.Channels != info.Channels || gen.Height != info.Height || gen.Width != info.Width)
            throw new GlassboxException($"The generator makes {gen.Channels}×{gen.Height}×{gen.Width} images but the classifier takes {info.Channels}×{info.Height}×{info.Width}; use a classifier trained on the generator's data.");
        if (request.Target is int t && t >= info.Classes)
            throw new GlassboxException($"--target {t} is not a class of the classifier: it knows classes 0–{info.Classes - 1}.");
    }

    private static bool IsOwnEntry(string name) => OwnExtensions.Contains(Path.GetExtension(name));
}

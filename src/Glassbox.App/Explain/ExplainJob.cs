using Glassbox.Attribution;
using Glassbox.Data;
using Glassbox.Engine;
using Glassbox.IO;
using Glassbox.Metrics.Axiomatic;
using Glassbox.Metrics.Faithfulness;
using Glassbox.Models;
using Glassbox.Attribution.Catalog;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.App;

/// <summary>What <c>glassbox explain</c> should do.</summary>
/// <param name="Model">Model to explain: a checkpoint folder, a Sequential spec .json, a TorchScript .pt or an .onnx file.</param>
/// <param name="Input">.npy file, PNG/JPEG image, or folder of images.</param>
/// <param name="OutputFolder">Where to write attributions and plots.</param>
/// <param name="Background">An MNIST-format folder whose training images are sampled as the baseline distribution of methods that need one (when no --baselines is given), or a .npy of images.</param>
/// <param name="Method">Catalog name of the attribution method (see <see cref="MethodCatalog"/>).</param>
/// <param name="MethodOptions">Method options as text keyed by their command-line names (e.g. "--n-steps" → "50").</param>
/// <param name="BackgroundSize">Background images sampled from a folder (SHAP's usual 100).</param>
/// <param name="Classes">"all", "predicted", or a comma-separated list of class indices or names.</param>
/// <param name="Target">One class per input instead of <paramref name="Classes"/>: a class index or name, or a .npy of N class indices; null to use <paramref name="Classes"/>.</param>
/// <param name="TopK">Classes shown per row in the image plot (by probability); 0 shows every explained class.</param>
/// <param name="Output">Logits or probabilities.</param>
/// <param name="Seed">Seeds background sampling and random methods.</param>
/// <param name="Device">cpu, cuda or auto.</param>
/// <param name="Threads">libtorch threads (0 = default).</param>
/// <param name="Checks">Also run the reliability checks (additivity where promised; deletion against random order).</param>
/// <param name="PlotRows">Inputs shown in the image plot (the first ones); the arrays hold every input whatever the plot shows.</param>
/// <param name="ChunkSize">Inputs explained together; each chunk's attributions go to attributions.npy as they are made, so memory
/// does not grow with the number of inputs. 0 explains all at once. Random methods draw per chunk.</param>
/// <param name="Shard">Explain only this shard of the inputs (<see cref="ShardPlan"/>: whole chunks, seeded by <paramref name="Seed"/>);
/// <c>glassbox merge</c> puts the shards' folders back together. Null explains every input.</param>
public sealed record ExplainRequest(
    string Model, string Input, string OutputFolder, string Background, string Method = "deep-shap",
    IReadOnlyDictionary<string, string>? MethodOptions = null, int BackgroundSize = 100, string Classes = "all", string? Target = null,
    int TopK = 0, OutputSpace Output = OutputSpace.Logits, int Seed = 0, string Device = "cpu", int Threads = 0, bool Checks = false,
    int PlotRows = ExplainRequest.DefaultPlotRows, int ChunkSize = ExplainRequest.DefaultChunkSize, ShardSpec? Shard = null)
{
    /// <summary>Rows of the image plot unless asked otherwise.</summary>
    public const int DefaultPlotRows = 16;

    /// <summary>Inputs per chunk unless asked otherwise.</summary>
    public const int DefaultChunkSize = 64;
}

/// <summary>What <c>glassbox explain</c> wrote.</summary>
/// <param name="Explanation">The attributions.</param>
/// <param name="Additivity">Statistics of the method's own check (additivity / convergence delta), or null when it has none.</param>
/// <param name="Files">Written files by role, relative to the output folder.</param>
/// <param name="InputNames">Names of the inputs.</param>
/// <param name="Predictions">Predicted class of each input.</param>
/// <param name="Seconds">Time spent in the attribution method.</param>
/// <param name="Checks">The reliability checks, when requested.</param>
public sealed record ExplainResult(Explanation Explanation, CompletenessReport? Additivity, IReadOnlyDictionary<string, string> Files, string[] InputNames,
    int[] Predictions, double Seconds, ReliabilityChecks? Checks = null)
{
    /// <summary>Inputs whose maps <see cref="Explanation"/>.Values holds: all when they fit in one chunk, else the plotted rows (attributions.npy holds all).</summary>
    public int RowsInMemory { get; init; } = int.MaxValue;

    /// <summary>Inputs shown in the image plot (0 when it could not be drawn; <see cref="Warnings"/> says why).</summary>
    public int PlotRows { get; init; }

    /// <summary>What was left out of the output (e.g. an image plot too large to draw); the arrays are complete.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>
/// <c>glassbox explain</c>: loads a model and inputs, then composes the stages explain → check (on request) → write
/// for any catalog method.
/// </summary>
public static class ExplainJob
{
    /// <summary>
    /// Runs the request; throws <see cref="GlassboxException"/> on bad input. The output folder is locked for the run
    /// (a second run into it fails at once) and written as one unit: everything goes to a temporary folder beside it that
    /// replaces it only when complete, so the folder always holds one whole run.
    /// </summary>
    public static ExplainResult Run(ExplainRequest r, IRunObserver? observer = null, CancellationToken cancel = default, MethodCatalog? catalog = null)
    {
        observer ??= new SilentObserver();
        catalog ??= MethodCatalog.Default;
        OutputLayout.CheckFolderName(r.OutputFolder);
        if (r.TopK < 0) throw new GlassboxException($"--top-k must be 0 (all explained classes) or positive, not {r.TopK}.");
        if (r.BackgroundSize < 1) throw new GlassboxException($"--background-size must be at least 1, not {r.BackgroundSize}.");
        if (r.PlotRows < 1) throw new GlassboxException($"--plot-rows must be at least 1, not {r.PlotRows}.");
        if (r.ChunkSize < 0) throw new GlassboxException($"--chunk-size must be 0 (all inputs at once) or positive, not {r.ChunkSize}.");
        RunLimits.CheckThreads(r.Threads);
        if (r.Shard is { } requested && r.Checks)
            throw new GlassboxException($"--checks cannot be combined with --shard {requested}: the deletion check draws its random orders by position in the whole run. Run --checks without --shard.");
        var entry = catalog.Get(r.Method);
        string folder = AtomicFolder.CheckTarget(r.OutputFolder, OutputLayout.IsExplainEntry);
        using var runLock = OutputLock.Acquire(folder);
        var ctx = TorchContext.Create(r.Device, r.Threads, r.Seed);
        using var model = LoadModel(r.Model, ctx.Device);
        MethodCatalog.CheckModel(entry, model);
        var info = model.Info;
        using var allInputs = InputImages.Open(r.Input, info);
        var (inputs, shardInputs, shardAbout) = SelectShard(r, allInputs);
        var options = r.MethodOptions ?? new Dictionary<string, string>();
        string modelSha = ModelFingerprint.Sha256(r.Model);
        string? backgroundSha = null;

        ExplainResult? result = null;
        AtomicFolder.Write(folder, temp =>
        {
            var layout = new OutputLayout(temp);
            using var sink = new ExplainFiles(layout, info, inputs.Count);
            var plan = new ChunkPlan(r.ChunkSize, sink, KeepRows: r.PlotRows, Check: r.Checks ? new DeletionOptions(RandomSeed: r.Seed) : null);
            var explained = ExplainStage.Run(model, entry, options, inputs,
                predictions => r.Target is { } t ? ShardTargets(ParseTarget(t, allInputs.Count, info.ClassNames), shardInputs, allInputs.Count, info.Classes)
                    : ParseClasses(r.Classes, info.ClassNames, predictions),
                r.Output, r.Seed, () =>
                {
                    var background = LoadBackground(r, info, ctx.Device);
                    backgroundSha = ModelFingerprint.Sha256(background.cpu().data<float>().ToArray());
                    return background;
                }, plan, observer, cancel: cancel);
            var streamed = sink.Complete();
            var checks = r.Checks ? CheckStage.Run(model, explained, new DeletionOptions(RandomSeed: r.Seed), observer) : null;
            var about = new Dictionary<string, object?>
            {
                ["noiseTunnel"] = explained.Settings.NoiseTunnel is { } nt ? OptionValues.Format(nt.Type) : null,
                ["options"] = explained.Settings.Describe(),
                ["model"] = Path.GetFullPath(r.Model), ["modelSha256"] = modelSha, ["modelKind"] = model.Kind.ToString(), ["architecture"] = info.Architecture,
                ["run"] = new Dictionary<string, object?>
                {
                    ["totalInputs"] = allInputs.Count, ["inputNamesSha256"] = ModelFingerprint.Sha256(allInputs.Names),
                    ["classes"] = r.Target is null ? r.Classes : null, ["target"] = TargetIdentity(r.Target), ["seed"] = r.Seed,
                    ["backgroundSha256"] = backgroundSha, ["device"] = ctx.Device.ToString(),
                },
                ["shard"] = shardAbout,
            };
            var warnings = new List<string>();
            var files = WriteStage.Write(layout, explained, checks, r.TopK, about, plotRows: r.PlotRows, streamed: streamed, warn: warnings.Add);
            int plotted = files.ContainsKey("imagePlot") ? Math.Min(r.PlotRows, inputs.Count) : 0;
            result = new ExplainResult(explained.Explanation, explained.Additivity, files, explained.Names, explained.Predictions, explained.Seconds, checks)
            {
                RowsInMemory = Math.Min(explained.RowsInMemory, inputs.Count), PlotRows = plotted, Warnings = warnings,
            };
        }, f => File.Exists(Path.Combine(f, "explanation.json")), OutputLayout.IsExplainEntry);
        return result!;
    }

    /// <summary>
    /// The inputs this run explains: all of them, or with <see cref="ExplainRequest.Shard"/> the shard's blocks (their indices
    /// in the whole input and what explanation.json records about the shard).
    /// </summary>
    private static (InputImagesReader Inputs, int[]? Indices, object? About) SelectShard(ExplainRequest r, InputImagesReader all)
    {
        if (r.Shard is not { } shard) return (all, null, null);
        var plan = ShardPlan.Create(all.Count, r.ChunkSize, shard.Count, r.Seed);
        int[] blocks = plan.BlocksOf(shard.Index);
        if (blocks.Length == 0)
            throw new GlassboxException($"--shard {shard}: the {all.Count} inputs make only {plan.Blocks} chunks of --chunk-size {r.ChunkSize}, so shard {shard.Index} would be empty; use at most {plan.Blocks} shards or a smaller --chunk-size.");
        int[] indices = plan.InputsOf(shard.Index);
        var about = new Dictionary<string, object?>
        {
            ["index"] = shard.Index, ["count"] = shard.Count, ["rule"] = ShardPlan.Rule, ["totalInputs"] = all.Count,
            ["chunkSize"] = r.ChunkSize, ["seed"] = r.Seed, ["inputs"] = indices.Length, ["blocks"] = blocks,
        };
        return (all.Select(indices), indices, about);
    }

    /// <summary>A per-input target selection of every input cut down to the shard's inputs (others apply to every input alike).</summary>
    private static TargetSelection ShardTargets(TargetSelection selection, int[]? indices, int total, int classes)
    {
        if (indices is null || selection == TargetSelection.AllClasses) return selection;
        int[] table = selection.Resolve(total, classes, out int k);
        return k == 1 ? TargetSelection.PerInput(Array.ConvertAll(indices, i => table[i])) : TargetSelection.Classes(table[..k]);
    }

    /// <summary>What identifies --target in explanation.json: the class given, or the SHA-256 of the .npy of targets.</summary>
    private static string? TargetIdentity(string? target)
        => target is null ? null
            : target.Trim().EndsWith(".npy", StringComparison.OrdinalIgnoreCase) && File.Exists(target.Trim())
                ? "sha256:" + ModelFingerprint.Sha256(target.Trim()) : target.Trim();

    /// <summary>Loads the model to explain.</summary>
    public static IImageModel LoadModel(string path, Device device) => Glassbox.Models.Sources.ModelLoader.Load(path, device);

    /// <summary>
    /// Parses <c>--target</c>: a class index or name for every input, or a .npy of class indices. An index outside the
    /// model's classes (10 for ten classes, 4294967299, −1) is an error naming the classes.
    /// </summary>
    public static TargetSelection ParseTarget(string spec, int inputs, IReadOnlyList<string> classNames)
    {
        string s = spec.Trim();
        bool isName = classNames.Any(c => string.Equals(c, s, StringComparison.OrdinalIgnoreCase));
        if (!isName && s.Length > 0 && (char.IsAsciiDigit(s[0]) || s[0] is '-' or '+') && s.Skip(1).All(char.IsAsciiDigit)
            && (!long.TryParse(s, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long v) || v < 0 || v >= classNames.Count))
            throw new GlassboxException($"--target {s} is not a class of this model: it has classes 0..{classNames.Count - 1} ({string.Join(", ", classNames.Select((c, i) => $"{i}={c}"))}).");
        return TargetSelection.Parse(spec, inputs, classNames);
    }

    /// <summary>Parses "all", "predicted" or a list of class indices/names.</summary>
    public static TargetSelection ParseClasses(string spec, IReadOnlyList<string> classNames, int[] predictions)
    {
        string s = spec.Trim();
        if (s.Equals("all", StringComparison.OrdinalIgnoreCase)) return TargetSelection.AllClasses;
        if (s.Equals("predicted", StringComparison.OrdinalIgnoreCase)) return TargetSelection.PerInput(predictions);
        var list = new List<int>();
        foreach (var part in s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int byName = classNames.ToList().FindIndex(c => string.Equals(c, part, StringComparison.OrdinalIgnoreCase));
            if (byName >= 0) list.Add(byName);
            else if (int.TryParse(part, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int idx) && idx >= 0 && idx < classNames.Count) list.Add(idx);
            else throw new GlassboxException($"Unknown class '{part}'. The model's classes are: {string.Join(", ", classNames.Select((c, i) => $"{i}={c}"))}; or use 'all' or 'predicted'.");
        }
        if (list.Count == 0) throw new GlassboxException("No class given; use --classes all, predicted, or a list like 3,7.");
        return TargetSelection.Classes(list.ToArray());
    }

    private static Tensor LoadBackground(ExplainRequest r, ModelInfo info, Device device)
    {
        ImageDataset background;
        if (string.IsNullOrWhiteSpace(r.Background))
            throw new GlassboxException($"{r.Method} averages over a background: pass --background <MNIST-format folder or .npy of images> (or --baselines).");
        if (Directory.Exists(r.Background))
        {
            MemoryBudget.CheckBackground(r.BackgroundSize, info);
            var train = MnistFormat.LoadFolder(r.Background, "train");
            if (train.Channels != info.Channels || train.Height != info.Height || train.Width != info.Width)
                throw new GlassboxException($"Background images in '{r.Background}' are {train.Channels}×{train.Height}×{train.Width}; the model expects {info.Channels}×{info.Height}×{info.Width}. Pass --baselines <file.npy>.");
            background = train.Subset(Sampling.SampleIndices(train.Count, r.BackgroundSize, r.Seed));
        }
        else
        {
            var (px, count, _) = InputImages.Load(r.Background, info);
            MemoryBudget.CheckBackground(count, info, "--background");
            background = new ImageDataset(px, count, info.Channels, info.Height, info.Width, new int[count], info.ClassNames);
        }
        return torch.tensor(background.Pixels, [background.Count, info.Channels, info.Height, info.Width], device: device);
    }
}

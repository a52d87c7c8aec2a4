using System.Diagnostics;
using Glassbox.Attribution;
using Glassbox.Attribution.Propagation;
using Glassbox.Data;
using Glassbox.Metrics.Axiomatic;
using Glassbox.Metrics.Faithfulness;
using Glassbox.Models;
using Glassbox.Attribution.Catalog;
using TorchSharp;
using static TorchSharp.torch;
using Glassbox.Visualization;

namespace Glassbox.App;

/// <summary>What the explain stage produced: the explanation (carrying its inputs and class names) and what the model said.</summary>
/// <param name="Entry">The catalog method.</param>
/// <param name="Explanation">The attributions, with <see cref="Explanation.Inputs"/> and <see cref="Explanation.ClassNames"/> set; when
/// the stage streamed its chunks to an <see cref="IExplainSink"/>, its per-input arrays (values, inputs, targets, outputs, base values,
/// errors) hold only the first <see cref="RowsInMemory"/> inputs while its shape counts all of them.</param>
/// <param name="Info">The explained model's input size and classes.</param>
/// <param name="Names">One name per input.</param>
/// <param name="Probabilities">Softmax probabilities, N×classes (the first <see cref="RowsInMemory"/> rows when streamed).</param>
/// <param name="Predictions">Predicted class of each input.</param>
/// <param name="ExpectedValue">DeepSHAP's E[f(background)] per class; null for other methods.</param>
/// <param name="BackgroundCount">Background images the method averaged over (0 when it used none or given baselines).</param>
/// <param name="Seconds">Time spent in the attribution method.</param>
/// <param name="Settings">The bound options (by flag), the noise tunnel and the baselines the method ran with.</param>
public sealed record ExplainedImages(MethodEntry Entry, Explanation Explanation, ModelInfo Info, string[] Names, float[] Probabilities,
    int[] Predictions, double[]? ExpectedValue, int BackgroundCount, double Seconds, MethodSettings Settings)
{
    private readonly CompletenessReport? _additivity;
    private readonly double[]? _errors;

    /// <summary>Statistics of the method's own check (additivity or convergence delta) over every input, or null when it has none.</summary>
    public CompletenessReport? Additivity
    {
        get => _additivity ?? (Explanation.AdditivityErrors is null ? null : CompletenessReport.Of(Explanation));
        init => _additivity = value;
    }

    /// <summary>Every input's additivity error at [n·K+k] (also when the stage streamed its maps), or null when the method reports none.</summary>
    public double[]? AdditivityErrors
    {
        get => _errors ?? Explanation.AdditivityErrors;
        init => _errors = value;
    }

    /// <summary>Inputs whose maps are in <see cref="Explanation.Values"/> (all of them unless the stage streamed its chunks).</summary>
    public int RowsInMemory { get; init; } = int.MaxValue;

    /// <summary>True when every input's maps are in memory.</summary>
    public bool Complete => RowsInMemory >= Explanation.Count;

    /// <summary>Signed convergence deltas Σφ − (f(x) − base) at [n·K+k], computed chunk by chunk; null when not computed.</summary>
    public double[]? SignedDeltas { get; init; }

    /// <summary>The deletion check run chunk by chunk (<see cref="ChunkPlan.Check"/>) and the class each input's deletion followed; null unless asked for.</summary>
    public (DeletionResult Result, int[] Targets)? Deletion { get; init; }

    /// <summary>The first <paramref name="rows"/> inputs as an explanation of their own (their maps must be in memory).</summary>
    public Explanation Head(int rows)
    {
        var e = Explanation;
        rows = Math.Min(rows, e.Count);
        if (rows > Math.Min(RowsInMemory, e.Count)) throw new InvalidOperationException($"Only {RowsInMemory} inputs' maps are in memory.");
        if (rows == e.Count) return e;
        int k = e.TargetsPerInput, d = e.MapSize;
        return e with
        {
            Values = e.Values.AsSpan(0, rows * k * d).ToArray(),
            Shape = [rows, k, e.Shape[2], e.Shape[3], e.Shape[4]],
            Targets = e.Targets[..(rows * k)],
            Outputs = e.Outputs[..(rows * k)],
            BaseValues = e.BaseValues[..(rows * k)],
            AdditivityErrors = e.AdditivityErrors?[..(rows * k)],
            Inputs = e.Inputs?.AsSpan(0, rows * d).ToArray(),
        };
    }
}

/// <summary>Receives the explain stage's per-input results as each chunk is made (e.g. to write them to .npy files).</summary>
public interface IExplainSink
{
    /// <summary>Softmax probabilities of inputs [start, start + rows), rows×classes, in input order.</summary>
    void Probabilities(int start, ReadOnlySpan<float> probabilities);

    /// <summary>The explanation of inputs [start, start + e.Count) and their pixels, in input order.</summary>
    void Chunk(int start, ReadOnlySpan<float> inputs, Explanation e);
}

/// <summary>How the explain stage walks its inputs.</summary>
/// <param name="ChunkSize">Inputs explained together; 0 explains all at once.</param>
/// <param name="Sink">Receives each chunk as soon as it is made; when set and there is more than one chunk, only the first
/// <paramref name="KeepRows"/> inputs' results stay in memory, so memory does not grow with the number of inputs.</param>
/// <param name="KeepRows">Inputs whose results stay in memory when <paramref name="Sink"/> is set (e.g. the plotted rows).</param>
/// <param name="Check">Run the deletion check (Petsiuk et al. 2018) on each chunk as it is explained, with these settings
/// (chunk c draws its random orders from RandomSeed + its first input's index); null runs none.</param>
public sealed record ChunkPlan(int ChunkSize = 0, IExplainSink? Sink = null, int KeepRows = int.MaxValue, DeletionOptions? Check = null)
{
    /// <summary>All inputs at once, everything in memory.</summary>
    public static ChunkPlan AllAtOnce { get; } = new();
}

/// <summary>Stage 1 of explain and demo: run one catalog method on images.</summary>
public static class ExplainStage
{
    /// <summary>
    /// Explains <paramref name="pixels"/> (N×C×H×W in [0,1]) with <paramref name="entry"/> built from
    /// <paramref name="optionText"/>; <paramref name="targets"/> picks the classes given the model's predictions.
    /// </summary>
    public static ExplainedImages Run(IImageModel model, MethodEntry entry, IReadOnlyDictionary<string, string> optionText,
        float[] pixels, string[] names, Func<int[], TargetSelection> targets, OutputSpace output, int seed,
        Func<Tensor> defaultBackground, IRunObserver? observer = null, string? stage = null, CancellationToken cancel = default)
        => Run(model, entry, optionText, pixels, names, targets, output, seed, defaultBackground, ChunkPlan.AllAtOnce, observer, stage, cancel);

    /// <summary>As the first overload, chunk by chunk as <paramref name="plan"/> says.</summary>
    public static ExplainedImages Run(IImageModel model, MethodEntry entry, IReadOnlyDictionary<string, string> optionText,
        float[] pixels, string[] names, Func<int[], TargetSelection> targets, OutputSpace output, int seed,
        Func<Tensor> defaultBackground, ChunkPlan plan, IRunObserver? observer = null, string? stage = null, CancellationToken cancel = default)
    {
        var info = model.Info;
        using var inputs = InputImagesReader.FromPixels(pixels, names, info.Channels * info.Height * info.Width);
        return Run(model, entry, optionText, inputs, targets, output, seed, defaultBackground, plan, observer, stage, cancel);
    }

    /// <summary>
    /// Explains the images of <paramref name="inputs"/>, reading them a chunk at a time: a first pass checks the model's
    /// outputs (NaN or infinite logits are an error) and the pixels, and makes the predictions; the targets are resolved and
    /// checked against the class count, and the memory the options imply estimated before the method is built; then each
    /// chunk of <see cref="ChunkPlan.ChunkSize"/> inputs is explained and handed to <see cref="ChunkPlan.Sink"/>. Progress
    /// counts inputs and advances per chunk with images/s and the time left.
    /// </summary>
    public static ExplainedImages Run(IImageModel model, MethodEntry entry, IReadOnlyDictionary<string, string> optionText,
        InputImagesReader inputs, Func<int[], TargetSelection> targets, OutputSpace output, int seed,
        Func<Tensor> defaultBackground, ChunkPlan plan, IRunObserver? observer = null, string? stage = null, CancellationToken cancel = default)
    {
        observer ??= new SilentObserver();
        stage ??= entry.Name;
        var info = model.Info;
        int n = inputs.Count, classes = info.Classes, d = info.Channels * info.Height * info.Width;
        if (plan.ChunkSize < 0) throw new GlassboxException($"--chunk-size must be 0 (all inputs at once) or positive, not {plan.ChunkSize}.");
        int chunk = plan.ChunkSize == 0 ? Math.Max(1, n) : Math.Min(plan.ChunkSize, Math.Max(1, n));
        var settings = MethodFactory.Bind(entry, optionText, model, output, seed);

        bool streamed = plan.Sink is not null && n > chunk;
        int keep = streamed ? Math.Min(n, Math.Max(0, plan.KeepRows)) : n;
        var (probs, predictions) = Probabilities(model, inputs, chunk, keep, plan.Sink);
        var selection = targets(predictions);
        // Every class is one row repeated; other selections are resolved per input (the classes named, or one per input).
        bool all = selection == TargetSelection.AllClasses;
        int[] table = selection.Resolve(all ? 1 : n, classes, out int k);
        int[] TargetsOf(int start, int len) => all
            ? Enumerable.Range(0, len).SelectMany(_ => table).ToArray()
            : table[(start * k)..((start + len) * k)];
        MemoryBudget.CheckMethod(settings, info, k, chunk, model);

        int backgroundCount = 0;
        var (method, bound) = MethodFactory.Build(settings, model, () =>
        {
            var background = defaultBackground();
            backgroundCount = (int)background.shape[0];
            return background;
        });

        var kept = new List<float[]>();
        var keptInputs = new List<float[]>();
        int keptRows = 0;
        var keptTargets = new List<int>();
        var keptOutputs = new List<double>();
        var keptBase = new List<double>();
        var keptErrors = new List<double>();
        // Kept for every input only when the method reports additivity errors (one number per explained class).
        List<double>? errors = null, errorOutputs = null, deltas = null;
        DeletionResult? deletion = null;
        int[]? deletionTargets = plan.Check is null ? null : new int[n];
        Explanation? first = null;

        observer.StageStarted(stage, n);
        var clock = Stopwatch.StartNew();
        for (int start = 0; start < Math.Max(1, n); start += chunk)
        {
            int len = Math.Min(chunk, n - start);
            if (len <= 0) break;
            cancel.ThrowIfCancellationRequested();
            var px = inputs.Read(start, len);
            int[] rowTargets = TargetsOf(start, len);
            Explanation e;
            using (var scope = torch.NewDisposeScope())
            {
                var x = torch.tensor(px, [len, info.Channels, info.Height, info.Width], device: model.Device);
                var part = all || len == n ? selection
                    : k == 1 ? TargetSelection.PerInput(rowTargets) : TargetSelection.Classes(rowTargets[..k]);
                e = method.Attribute(x, part, new ChunkProgress(observer, stage, start, len), cancel);
            }
            first ??= e;
            if (e.AdditivityErrors is { } err)
            {
                (errors ??= []).AddRange(err);
                (errorOutputs ??= []).AddRange(e.Outputs);
                deltas ??= [];
                for (int i = 0; i < len * k; i++) deltas.Add(e.Delta(i));
            }
            if (plan.Check is { } check)
                deletion = Merge(deletion, CheckChunk(model, e, px, start, predictions, streamed ? null : probs, deletionTargets!,
                    check with { RandomSeed = check.RandomSeed + start }));
            plan.Sink?.Chunk(start, px, e);
            if (keptRows < keep)
            {
                int rows = Math.Min(len, keep - keptRows);
                kept.Add(rows == len ? e.Values : e.Values.AsSpan(0, rows * k * d).ToArray());
                keptInputs.Add(rows == len ? px : px.AsSpan(0, rows * d).ToArray());
                keptTargets.AddRange(rowTargets.AsSpan(0, rows * k));
                keptOutputs.AddRange(e.Outputs.AsSpan(0, rows * k));
                keptBase.AddRange(e.BaseValues.AsSpan(0, rows * k));
                if (e.AdditivityErrors is { } kerr) keptErrors.AddRange(kerr.AsSpan(0, rows * k));
                keptRows += rows;
            }
            double done = start + len, rate = done / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
            observer.StageProgress(stage, done, n > chunk ? $"{done:0}/{n} images, {rate:0.0} img/s, {Eta((n - done) / rate)} left" : null);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        if (first is null) throw new GlassboxException("There are no inputs to explain.");
        var explanation = first with
        {
            Values = kept.Count == 1 ? kept[0] : kept.SelectMany(v => v).ToArray(),
            Shape = [n, k, info.Channels, info.Height, info.Width], Targets = keptTargets.ToArray(),
            Outputs = keptOutputs.ToArray(), BaseValues = keptBase.ToArray(), AdditivityErrors = errors is null ? null : keptErrors.ToArray(),
            Inputs = keptInputs.Count == 1 ? keptInputs[0] : keptInputs.SelectMany(v => v).ToArray(), ClassNames = info.ClassNames,
        };
        var allErrors = errors?.ToArray();
        var result = new ExplainedImages(entry, explanation, info, inputs.Names.ToArray(), probs, predictions, (method as DeepShap)?.ExpectedValue,
            backgroundCount, seconds, bound)
        {
            RowsInMemory = keptRows, SignedDeltas = deltas?.ToArray(), AdditivityErrors = allErrors,
            Additivity = allErrors is null ? null
                : CompletenessReport.Of(first with { Values = [], Shape = [n, k, 0, 0, 0], Targets = [], Outputs = errorOutputs!.ToArray(), BaseValues = [], AdditivityErrors = allErrors }),
            Deletion = deletion is null ? null : (deletion, deletionTargets!),
        };
        var additivity = result.Additivity;
        observer.StageFinished(stage, $"{n} inputs × {k} classes in {seconds:F1} s ({n / Math.Max(1e-9, seconds):0.0} img/s)" +
            (additivity is null ? "" : $"; max {(explanation.AdditivityGuaranteed ? "additivity error" : "|convergence delta|")} {NumberFormat.Scientific(additivity.Max)}"));
        return result;
    }

    /// <summary>
    /// The deletion check of one chunk: per input, the map of its predicted class (or the most probable explained class)
    /// orders the deletion; records the class in <paramref name="targets"/>.
    /// </summary>
    private static DeletionResult CheckChunk(IImageModel model, Explanation e, float[] pixels, int start, int[] predictions, float[]? allProbs,
        int[] targets, DeletionOptions options)
    {
        int len = e.Count, k = e.TargetsPerInput, d = e.MapSize, classes = model.Info.Classes;
        float[] probs = allProbs is null ? ForwardProbabilities(model, pixels, len) : allProbs.AsSpan(start * classes, len * classes).ToArray();
        var maps = new float[len * d];
        var chunkTargets = new int[len];
        for (int i = 0; i < len; i++)
        {
            int slot = CheckStage.Slot(e.Targets.AsSpan(i * k, k), predictions[start + i], probs.AsSpan(i * classes, classes));
            chunkTargets[i] = e.Targets[i * k + slot];
            e.Map(i, slot).CopyTo(maps.AsSpan(i * d, d));
        }
        chunkTargets.CopyTo(targets, start);
        return Glassbox.Metrics.Faithfulness.Deletion.Evaluate(model, pixels, maps, chunkTargets, options);
    }

    /// <summary>Mean curves of two groups of images: each point and the share faster than random weighted by image count; the AUCs of the merged curves.</summary>
    private static DeletionResult Merge(DeletionResult? a, DeletionResult b)
    {
        if (a is null) return b;
        int n = a.Images + b.Images;
        double[] Mix(double[] x, double[] y) => x.Select((v, i) => (v * a.Images + y[i] * b.Images) / n).ToArray();
        var attribution = Mix(a.AttributionCurve, b.AttributionCurve);
        var random = Mix(a.RandomCurve, b.RandomCurve);
        return new DeletionResult(a.Fractions, attribution, random, Glassbox.Metrics.Faithfulness.Deletion.Auc(a.Fractions, attribution),
            Glassbox.Metrics.Faithfulness.Deletion.Auc(a.Fractions, random), (a.ShareFasterThanRandom * a.Images + b.ShareFasterThanRandom * b.Images) / n, n);
    }

    /// <summary>
    /// Softmax probabilities and predictions, <paramref name="chunk"/> inputs per forward pass; non-finite logits are an error.
    /// Each chunk's probabilities go to <paramref name="sink"/>; the first <paramref name="keep"/> rows are returned.
    /// </summary>
    private static (float[] Kept, int[] Predictions) Probabilities(IImageModel model, InputImagesReader inputs, int chunk, int keep, IExplainSink? sink)
    {
        var info = model.Info;
        int n = inputs.Count, classes = info.Classes;
        var kept = new float[(long)keep * classes];
        var predictions = new int[n];
        for (int start = 0; start < n; start += chunk)
        {
            int len = Math.Min(chunk, n - start);
            var pixels = inputs.Read(start, len);
            float[] probs;
            try
            {
                probs = ForwardProbabilities(model, pixels, len);
            }
            catch (GlassboxException e) when (start > 0)
            {
                throw new GlassboxException($"Inputs {start}..{start + len - 1}: {e.Message}", e);
            }
            for (int i = 0; i < len; i++) predictions[start + i] = ArgMax(probs.AsSpan(i * classes, classes));
            sink?.Probabilities(start, probs);
            if (start < keep) probs.AsSpan(0, Math.Min(len, keep - start) * classes).CopyTo(kept.AsSpan(start * classes));
        }
        return (kept, predictions);
    }

    /// <summary>Softmax probabilities of <paramref name="len"/> images (len×classes); non-finite logits are an error.</summary>
    private static float[] ForwardProbabilities(IImageModel model, float[] pixels, int len)
    {
        var info = model.Info;
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = torch.tensor(pixels, [len, info.Channels, info.Height, info.Width], device: model.Device);
        var logits = model.Forward(x);
        ModelCapabilities.CheckOutputs(model, logits);
        return nn.functional.softmax(logits, 1).cpu().data<float>().ToArray();
    }

    private static string Eta(double seconds)
    {
        if (!double.IsFinite(seconds)) return "?";
        var t = TimeSpan.FromSeconds(Math.Ceiling(seconds));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{t.Minutes:00}m" : t.TotalMinutes >= 1 ? $"{t.Minutes}m{t.Seconds:00}s" : $"{t.Seconds}s";
    }

    private static int ArgMax(ReadOnlySpan<float> p)
    {
        int best = 0;
        for (int i = 1; i < p.Length; i++) if (p[i] > p[best]) best = i;
        return best;
    }

    /// <summary>Reports a method's (done, total) within one chunk as inputs done in the whole stage.</summary>
    private sealed class ChunkProgress(IRunObserver observer, string stage, int start, int len) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value)
            => observer.StageProgress(stage, start + (value.Total > 0 ? (double)value.Done / value.Total * len : 0));
    }
}

using System.Diagnostics;
using Glassbox.Attribution;
using Glassbox.Attribution.Propagation;
using Glassbox.Metrics.Axiomatic;
using Glassbox.Models;
using Glassbox.Attribution.Catalog;
using TorchSharp;
using static TorchSharp.torch;
using Glassbox.Visualization;

namespace Glassbox.App;

/// <summary>What the explain stage produced: the explanation (carrying its inputs and class names) and what the model said.</summary>
/// <param name="Entry">The catalog method.</param>
/// <param name="Explanation">The attributions, with <see cref="Explanation.Inputs"/> and <see cref="Explanation.ClassNames"/> set; when
/// the stage streamed its chunks elsewhere, <see cref="Explanation.Values"/> holds only the first <see cref="RowsInMemory"/> inputs'
/// maps (targets, outputs, base values and errors are complete).</param>
/// <param name="Info">The explained model's input size and classes.</param>
/// <param name="Names">One name per input.</param>
/// <param name="Probabilities">Softmax probabilities, N×classes.</param>
/// <param name="Predictions">Predicted class of each input.</param>
/// <param name="ExpectedValue">DeepSHAP's E[f(background)] per class; null for other methods.</param>
/// <param name="BackgroundCount">Background images the method averaged over (0 when it used none or given baselines).</param>
/// <param name="Seconds">Time spent in the attribution method.</param>
/// <param name="Settings">The bound options (by flag), the noise tunnel and the baselines the method ran with.</param>
public sealed record ExplainedImages(MethodEntry Entry, Explanation Explanation, ModelInfo Info, string[] Names, float[] Probabilities,
    int[] Predictions, double[]? ExpectedValue, int BackgroundCount, double Seconds, MethodSettings Settings)
{
    /// <summary>Statistics of the method's own check (additivity or convergence delta), or null when it has none.</summary>
    public CompletenessReport? Additivity => Explanation.AdditivityErrors is null ? null : CompletenessReport.Of(Explanation);

    /// <summary>Inputs whose maps are in <see cref="Explanation.Values"/> (all of them unless the stage streamed its chunks).</summary>
    public int RowsInMemory { get; init; } = int.MaxValue;

    /// <summary>True when every input's maps are in memory.</summary>
    public bool Complete => RowsInMemory >= Explanation.Count;

    /// <summary>Signed convergence deltas Σφ − (f(x) − base) at [n·K+k], computed chunk by chunk; null when not computed.</summary>
    public double[]? SignedDeltas { get; init; }

    /// <summary>Per input, the map the check stage orders deletion by (N×C×H×W) and its class; null unless asked for.</summary>
    public (float[] Maps, int[] Targets)? CheckMaps { get; init; }

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

/// <summary>How the explain stage walks its inputs.</summary>
/// <param name="ChunkSize">Inputs explained together; 0 explains all at once.</param>
/// <param name="OnChunk">Receives each chunk's explanation and the index of its first input as soon as it is made; when set,
/// only the first <paramref name="KeepRows"/> inputs' maps stay in memory, so memory does not grow with the number of inputs.</param>
/// <param name="KeepRows">Inputs whose maps stay in memory when <paramref name="OnChunk"/> is set (e.g. the plotted rows).</param>
/// <param name="KeepCheckMaps">Keep, per input, the map the check stage needs.</param>
public sealed record ChunkPlan(int ChunkSize = 0, Action<int, Explanation>? OnChunk = null, int KeepRows = int.MaxValue, bool KeepCheckMaps = false)
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

    /// <summary>
    /// As the other overload, chunk by chunk: the model's outputs are checked (NaN or infinite logits are an error), the
    /// targets resolved and checked against the class count, and the memory the options imply estimated before the
    /// method is built; then each chunk of <see cref="ChunkPlan.ChunkSize"/> inputs is explained and handed to
    /// <see cref="ChunkPlan.OnChunk"/>. Progress counts inputs and advances per chunk with images/s and the time left.
    /// </summary>
    public static ExplainedImages Run(IImageModel model, MethodEntry entry, IReadOnlyDictionary<string, string> optionText,
        float[] pixels, string[] names, Func<int[], TargetSelection> targets, OutputSpace output, int seed,
        Func<Tensor> defaultBackground, ChunkPlan plan, IRunObserver? observer = null, string? stage = null, CancellationToken cancel = default)
    {
        observer ??= new SilentObserver();
        stage ??= entry.Name;
        var info = model.Info;
        int n = names.Length, classes = info.Classes, d = info.Channels * info.Height * info.Width;
        if (plan.ChunkSize < 0) throw new GlassboxException($"--chunk-size must be 0 (all inputs at once) or positive, not {plan.ChunkSize}.");
        int chunk = plan.ChunkSize == 0 ? Math.Max(1, n) : Math.Min(plan.ChunkSize, Math.Max(1, n));
        var settings = MethodFactory.Bind(entry, optionText, model, output, seed);

        var probs = Probabilities(model, pixels, n, chunk);
        var predictions = Enumerable.Range(0, n).Select(i => ArgMax(probs.AsSpan(i * classes, classes))).ToArray();
        var selection = targets(predictions);
        int[] table = selection.Resolve(n, classes, out int k);
        MemoryBudget.CheckMethod(settings, info, k, chunk, model);

        int backgroundCount = 0;
        var (method, bound) = MethodFactory.Build(settings, model, () =>
        {
            var background = defaultBackground();
            backgroundCount = (int)background.shape[0];
            return background;
        });

        bool streamed = plan.OnChunk is not null;
        int keep = streamed && n > chunk ? Math.Min(n, Math.Max(0, plan.KeepRows)) : n;
        var kept = new List<float[]>();
        int keptRows = 0;
        var outputs = new double[n * k];
        var baseValues = new double[n * k];
        double[]? errors = null;
        var deltas = new double[n * k];
        float[]? checkMaps = plan.KeepCheckMaps ? new float[(long)n * d] : null;
        int[]? checkTargets = plan.KeepCheckMaps ? new int[n] : null;
        Explanation? first = null;

        observer.StageStarted(stage, n);
        var clock = Stopwatch.StartNew();
        for (int start = 0; start < Math.Max(1, n); start += chunk)
        {
            int len = Math.Min(chunk, n - start);
            if (len <= 0) break;
            cancel.ThrowIfCancellationRequested();
            Explanation e;
            using (var scope = torch.NewDisposeScope())
            {
                var x = len == n
                    ? torch.tensor(pixels, [n, info.Channels, info.Height, info.Width], device: model.Device)
                    : torch.tensor(pixels.AsSpan(start * d, len * d).ToArray(), [len, info.Channels, info.Height, info.Width], device: model.Device);
                var part = len == n ? selection : Slice(selection, table, start, len, k);
                e = method.Attribute(x, part, new ChunkProgress(observer, stage, start, len), cancel);
            }
            first ??= e;
            for (int i = 0; i < len * k; i++)
            {
                outputs[start * k + i] = e.Outputs[i];
                baseValues[start * k + i] = e.BaseValues[i];
                deltas[start * k + i] = e.Delta(i);
            }
            if (e.AdditivityErrors is { } err)
            {
                errors ??= new double[n * k];
                err.CopyTo(errors, start * k);
            }
            if (checkMaps is not null)
                for (int i = 0; i < len; i++)
                {
                    int slot = CheckStage.Slot(e.Targets.AsSpan(i * k, k), predictions[start + i], probs.AsSpan((start + i) * classes, classes));
                    checkTargets![start + i] = e.Targets[i * k + slot];
                    e.Map(i, slot).CopyTo(checkMaps.AsSpan((start + i) * d, d));
                }
            plan.OnChunk?.Invoke(start, e);
            if (keptRows < keep)
            {
                int rows = Math.Min(len, keep - keptRows);
                kept.Add(rows == len ? e.Values : e.Values.AsSpan(0, rows * k * d).ToArray());
                keptRows += rows;
            }
            double done = start + len, rate = done / Math.Max(1e-9, clock.Elapsed.TotalSeconds);
            observer.StageProgress(stage, done, n > chunk ? $"{done:0}/{n} images, {rate:0.0} img/s, {Eta((n - done) / rate)} left" : null);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        if (first is null) throw new GlassboxException("There are no inputs to explain.");
        var values = kept.Count == 1 ? kept[0] : kept.SelectMany(v => v).ToArray();
        var explanation = first with
        {
            Values = values, Shape = [n, k, info.Channels, info.Height, info.Width], Targets = table,
            Outputs = outputs, BaseValues = baseValues, AdditivityErrors = errors, Inputs = pixels, ClassNames = info.ClassNames,
        };
        var result = new ExplainedImages(entry, explanation, info, names, probs, predictions, (method as DeepShap)?.ExpectedValue, backgroundCount, seconds, bound)
        {
            RowsInMemory = keptRows, SignedDeltas = deltas,
            CheckMaps = checkMaps is null ? null : (checkMaps, checkTargets!),
        };
        var additivity = result.Additivity;
        observer.StageFinished(stage, $"{n} inputs × {k} classes in {seconds:F1} s ({n / Math.Max(1e-9, seconds):0.0} img/s)" +
            (additivity is null ? "" : $"; max {(explanation.AdditivityGuaranteed ? "additivity error" : "|convergence delta|")} {NumberFormat.Scientific(additivity.Max)}"));
        return result;
    }

    /// <summary>Softmax probabilities N×classes, <paramref name="chunk"/> inputs per forward pass; non-finite logits are an error.</summary>
    private static float[] Probabilities(IImageModel model, float[] pixels, int n, int chunk)
    {
        var info = model.Info;
        int d = info.Channels * info.Height * info.Width;
        var probs = new float[(long)n * info.Classes];
        for (int start = 0; start < n; start += chunk)
        {
            int len = Math.Min(chunk, n - start);
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var x = len == n
                ? torch.tensor(pixels, [n, info.Channels, info.Height, info.Width], device: model.Device)
                : torch.tensor(pixels.AsSpan(start * d, len * d).ToArray(), [len, info.Channels, info.Height, info.Width], device: model.Device);
            var logits = model.Forward(x);
            try
            {
                ModelCapabilities.CheckOutputs(model, logits);
            }
            catch (GlassboxException e) when (start > 0)
            {
                throw new GlassboxException($"Inputs {start}..{start + len - 1}: {e.Message}", e);
            }
            nn.functional.softmax(logits, 1).cpu().data<float>().ToArray().CopyTo(probs, (long)start * info.Classes);
        }
        return probs;
    }

    /// <summary>The selection for inputs [start, start+len): all classes stay all classes; otherwise the resolved rows.</summary>
    private static TargetSelection Slice(TargetSelection selection, int[] table, int start, int len, int k)
    {
        if (selection == TargetSelection.AllClasses) return selection;
        if (k == 1) return TargetSelection.PerInput(table[start..(start + len)]);
        return TargetSelection.Classes(table[(start * k)..(start * k + k)]);
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

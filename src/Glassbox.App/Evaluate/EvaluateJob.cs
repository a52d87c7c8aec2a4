using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Data;
using Glassbox.Engine;
using Glassbox.IO;
using Glassbox.Metrics;
using Glassbox.Metrics.Faithfulness;
using Glassbox.Metrics.Randomisation;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.App;

/// <summary>
/// <c>glassbox evaluate</c>: explains the first N test images once per method, scores every explanation with every
/// selected metric (a pair that cannot run is recorded with its reason), and writes means with bootstrap intervals,
/// ranks, figures and a one-page report. Each method's results go to results/&lt;method&gt;.json as soon as they are
/// done, so a rerun with the same settings into the same folder continues where an interrupted run stopped.
/// </summary>
public static class EvaluateJob
{
    /// <summary>Background images sampled from the data's training split for methods that average over a baseline distribution.</summary>
    public const int BackgroundSize = 100;

    /// <summary>Runs the request; throws <see cref="GlassboxException"/> on bad input. The output folder is locked for the run.</summary>
    public static EvaluationReport Run(EvaluateRequest r, IRunObserver? observer = null, CancellationToken cancel = default,
        MethodCatalog? methods = null, MetricCatalog? metrics = null)
    {
        observer ??= new SilentObserver();
        methods ??= MethodCatalog.Default;
        metrics ??= MetricCatalog.Default;
        var clock = Stopwatch.StartNew();
        OutputLayout.CheckFolderName(r.OutputFolder);
        if (r.Images < 1) throw new GlassboxException($"-n/--images must be at least 1, not {r.Images}.");
        if (r.Bootstrap < 0) throw new GlassboxException($"--bootstrap must be 0 (no interval) or positive, not {r.Bootstrap}.");
        RunLimits.CheckThreads(r.Threads);
        var methodEntries = MethodEntries(r.Methods, methods);
        if (methodEntries.Count == 0 && r.Attributions is null)
            throw new GlassboxException("Pass the methods to compare with --methods a,b,c (see 'glassbox methods'), or maps made elsewhere with --attributions FILE.npy.");
        if (r.Attributions is not null && methodEntries.Any(e => e.Name.Equals(EvaluateRequest.ExternalName, StringComparison.OrdinalIgnoreCase)))
            throw new GlassboxException($"A method is named '{EvaluateRequest.ExternalName}', the name of the --attributions maps; drop it from --methods.");
        var metricEntries = MetricSelection.Parse(r.Metrics, metrics);
        if (r.Metrics.Split(',', StringSplitOptions.TrimEntries).Any(p => p.Equals("fast", StringComparison.OrdinalIgnoreCase))
            && MetricSelection.LeftOutByFast(metrics).Where(x => !metricEntries.Any(e => e.Name == x.Name)).ToList() is { Count: > 0 } slow)
            observer.StageFinished("metrics", $"fast leaves out {string.Join("; ", slow.Select(x => $"{x.Name} ({x.Reason})"))}.");

        string folder = AtomicFolder.CheckTarget(r.OutputFolder, EvaluationLayout.IsOwnEntry);
        using var runLock = OutputLock.Acquire(folder);
        var ctx = TorchContext.Create(r.Device, r.Threads, r.Seed);
        using var model = ExplainJob.LoadModel(r.Model, ctx.Device);
        var info = model.Info;
        var selected = MetricSelection.Bind(metricEntries, r.MetricOptions, info, ctx.Device);
        var single = selected.Where(m => !m.Entry.IsPairwise).ToList();
        var pairwise = selected.Where(m => m.Entry.IsPairwise).ToList();

        (float[] Values, int Count, int PerInput)? external = r.Attributions is null ? null : EvaluationInputs.ReadExternal(r.Attributions, info);
        int n = external?.Count ?? r.Images;
        var images = EvaluationInputs.Load(r.Data, n, info, external is null ? null : $"--attributions '{r.Attributions}' ({n} images)");
        var predictions = Predict(model, images.Pixels, n);
        var (targets, perInput) = EvaluationInputs.Targets(r.Targets, predictions, images.Labels, info.ClassNames);
        var selection = Selection(targets, perInput, n, methodEntries.Count > 0);

        var layout = new EvaluationLayout(folder);
        Directory.CreateDirectory(layout.Results);
        string runKey = RunKey(r, model, n, selected);
        int units = (methodEntries.Count + (external is null ? 0 : 1)) * (1 + single.Count) + pairwise.Count;
        observer.StageStarted("evaluate", units);
        double done = 0;
        void Advance(string what)
        {
            done++;
            observer.StageProgress("evaluate", done, what);
        }

        using var inputs = torch.tensor(images.Pixels, [n, info.Channels, info.Height, info.Width], device: model.Device);
        using var masks = images.Masks is null ? null : torch.tensor(images.Masks, [n, info.Height, info.Width]);
        var records = new List<MethodRecord>();
        var computed = new List<string>();
        var resumed = new HashSet<string>(StringComparer.Ordinal);
        var maps = new Dictionary<string, Explanation>(StringComparer.Ordinal);

        // Read and sampled once per run, only when a method averages over a background (DeepSHAP, GradientSHAP, ...).
        var backgroundPixels = new Lazy<float[]>(() => BackgroundPixels(r.Data, r.Seed));

        var jobs = methodEntries.Select(e => (Name: e.Name, Entry: (MethodEntry?)e)).ToList();
        if (external is not null) jobs.Add((EvaluateRequest.ExternalName, null));
        foreach (var (name, entry) in jobs)
        {
            cancel.ThrowIfCancellationRequested();
            string key = Hash(runKey + "\n" + name);
            if (TryResume(layout, name, key, targets, perInput, info, r.Output) is { } old)
            {
                records.Add(old.Record);
                if (old.Maps is not null) maps[name] = old.Maps;
                resumed.Add(name);
                done += 1 + single.Count;
                observer.StageProgress("evaluate", done, $"{name}: done in an earlier run");
                continue;
            }
            var clockMethod = Stopwatch.StartNew();
            MethodRecord record;
            Explanation? explanation = null;
            if (entry is not null && Refusal(entry, model) is { } refusal)
            {
                record = new MethodRecord(name, key, 0, refusal,
                    single.Select(m => Skipped(m, $"{name} cannot run on this model: {refusal}")).ToList());
                done += 1 + single.Count;
                observer.StageProgress("evaluate", done, $"{name}: skipped");
            }
            else
            {
                ExplainFunction? explain = null;
                double explainSeconds = 0;
                IReadOnlyDictionary<string, string>? options = null;
                if (entry is not null)
                {
                    var explained = ExplainStage.Run(model, entry, new Dictionary<string, string>(), images.Pixels, images.Names, _ => selection, r.Output,
                        r.Seed, () => Background(backgroundPixels.Value, info, model.Device), observer: new ExplainProgress(observer, done), stage: name, cancel: cancel);
                    explanation = explained.Explanation;
                    explainSeconds = explained.Seconds;
                    options = explained.Settings.Describe();
                    var settings = explained.Settings;
                    explain = (m, x, t, c) => settings.Create(m).Attribute(x, t, null, c);
                }
                else
                {
                    explanation = EvaluationInputs.External(r.Attributions!, external!.Value.Values, n, external.Value.PerInput, info, targets, perInput, r.Output)
                        with { Inputs = images.Pixels, ClassNames = info.ClassNames };
                }
                Advance($"{name}: explained");
                var scored = new List<MetricRecord>();
                var shared = new MetricWorkCache();
                foreach (var m in single)
                {
                    cancel.ThrowIfCancellationRequested();
                    scored.Add(Score(m, model, inputs, explanation, explain, masks, name, shared, cancel));
                    Advance($"{name} · {m.Name}");
                }
                record = new MethodRecord(name, key, explainSeconds, null, scored, options);
                NpyFile.Write(layout.Maps(name), explanation.Values, explanation.Shape);
                maps[name] = explanation;
            }
            AtomicFile.WriteAllText(layout.Result(name), JsonSerializer.Serialize(record, AppJson.Options));
            records.Add(record);
            computed.Add(name);
            observer.StageFinished(name, record.Skipped is { } why ? $"skipped: {why}"
                : $"{record.Metrics.Count(x => x.Skipped is null)} of {record.Metrics.Count} metrics in {clockMethod.Elapsed.TotalSeconds:F1} s");
        }

        var agreement = new List<EvaluationRow>();
        foreach (var m in pairwise)
        {
            cancel.ThrowIfCancellationRequested();
            var names = maps.Keys.ToList();
            if (names.Count < 2)
                agreement.Add(Row($"{string.Join(", ", records.Select(x => x.Method))}", m, [], 0, "an agreement metric compares two explanations; fewer than two ran", r));
            for (int a = 0; a < names.Count; a++)
                for (int b = a + 1; b < names.Count; b++)
                {
                    var watch = Stopwatch.StartNew();
                    string pair = $"{names[a]} vs {names[b]}";
                    try
                    {
                        var result = ((IPairwiseMetric)m.Metric).Evaluate(maps[names[a]], maps[names[b]], cancel);
                        agreement.Add(Row(pair, m, result.Scores, watch.Elapsed.TotalSeconds, null, r));
                    }
                    catch (GlassboxException e)
                    {
                        agreement.Add(Row(pair, m, [], watch.Elapsed.TotalSeconds, e.Message, r));
                    }
                }
            Advance(m.Name);
        }

        var across = r.CompareModels is { Count: > 0 } others && methodEntries.Count > 0
            ? ModelAgreementStage.Run(model, r.Model, others, methodEntries, maps, images.Pixels, images.Names, selection, r.Output, r.Seed,
                m => Background(backgroundPixels.Value, info, m.Device), observer, cancel)
            : [];

        var rows = Rank(records.SelectMany(rec => rec.Metrics.Select(x => Row(rec.Method, x, r))).ToList());
        var settingsRecord = new EvaluationSettings(Path.GetFullPath(r.Model), model.Kind.ToString(), Path.GetFullPath(r.Data),
            jobs.Select(j => j.Name).ToArray(), selected.Select(m => m.Name).ToArray(), n, r.Bootstrap, r.Seed, r.Targets ?? "predicted",
            r.Output == OutputSpace.Logits ? "logits" : "probabilities",
            selected.Where(m => m.OptionText.Count > 0).ToDictionary(m => m.Name, m => m.OptionText),
            r.Attributions is null ? null : Path.GetFullPath(r.Attributions), images.Masks is not null);
        var summaries = records.Select(x => new MethodSummary(x.Method, x.ExplainSeconds, x.Skipped, x.MethodOptions, resumed.Contains(x.Method))).ToList();
        var files = EvaluationWriter.WriteFigures(layout, records, rows, images, info);
        var chance = masks is null || maps.Count == 0 ? new Dictionary<string, double>() : LocalisationChance.Compute(single, maps.Values.First(), masks, r.Seed, cancel);
        var report = new EvaluationReport(settingsRecord, rows, agreement, summaries, files, clock.Elapsed.TotalSeconds) { Computed = computed, Chance = chance, AcrossModels = across };
        report = EvaluationWriter.Write(layout, report);
        observer.StageFinished("evaluate", $"{jobs.Count} explanations × {selected.Count} metrics in {clock.Elapsed.TotalSeconds:F1} s" +
            (resumed.Count > 0 ? $" ({resumed.Count} read back from an earlier run)" : ""));
        return report;
    }

    /// <summary>Shows a method's explain stage as the first unit of its share of the evaluation's progress bar.</summary>
    private sealed class ExplainProgress(IRunObserver outer, double start) : IRunObserver
    {
        private double _total = 1;
        public void StageStarted(string stage, double total) => _total = Math.Max(1, total);
        public void StageProgress(string stage, double done, string? detail = null)
            => outer.StageProgress("evaluate", start + Math.Clamp(done / _total, 0, 1), $"{stage}: explaining {done:0}/{_total:0} images");
        public void StageFinished(string stage, string summary) { }
    }

    /// <summary>The method entries named in <paramref name="names"/> (each once).</summary>
    private static List<MethodEntry> MethodEntries(IReadOnlyList<string> names, MethodCatalog catalog)
    {
        var list = new List<MethodEntry>();
        foreach (var raw in names.SelectMany(n => n.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var e = catalog.Get(raw);
            if (list.Contains(e)) throw new GlassboxException($"--methods lists '{e.Name}' twice.");
            list.Add(e);
        }
        return list;
    }

    /// <summary>Why <paramref name="entry"/> cannot run on <paramref name="model"/>, or null.</summary>
    private static string? Refusal(MethodEntry entry, IImageModel model)
    {
        if (MethodCatalog.CanRun(entry, model)) return null;
        try
        {
            MethodCatalog.CheckModel(entry, model);
            return $"{entry.Name} needs what this {model.Kind} model does not offer.";
        }
        catch (GlassboxException e)
        {
            return e.Message;
        }
    }

    /// <summary>Why <paramref name="metric"/> cannot score this explanation, or null.</summary>
    private static string? MetricRefusal(SelectedMetric metric, IImageModel model, ExplainFunction? explain, Tensor? masks)
    {
        var m = metric.Metric;
        if (m.Requirement == MetricRequirement.Gradients && !model.SupportsGradients)
            return $"{m.Name} needs gradients, but this {model.Kind} model is a black box.";
        if (m is ILocalisationMetric && masks is null)
            return $"{m.Name} needs ground-truth evidence masks: the data folder has no {EvaluationInputs.MasksFileName} (N×H×W uint8 aligned with its test images).";
        if (m is IReexplainingMetric && explain is null)
            return $"{m.Name} explains again with the same method, but maps given by --attributions cannot be recomputed.";
        if (m is not (IExplanationMetric or IReexplainingMetric or ILocalisationMetric))
            return $"{m.Name} is a {m.GetType().Name}, which evaluate does not know how to run.";
        return null;
    }

    private static MetricRecord Score(SelectedMetric m, IImageModel model, Tensor inputs, Explanation explanation, ExplainFunction? explain,
        Tensor? masks, string method, MetricWorkCache shared, CancellationToken cancel)
    {
        if (MetricRefusal(m, model, explain, masks) is { } why) return Skipped(m, why);
        var watch = Stopwatch.StartNew();
        MetricResult result;
        try
        {
            using var scope = torch.NewDisposeScope();
            result = m.Metric switch
            {
                ISharedWorkMetric sharing => sharing.Evaluate(model, inputs, explanation, explain!, shared, cancel),
                IReexplainingMetric re => re.Evaluate(model, inputs, explanation, explain!, cancel),
                ILocalisationMetric loc => loc.Evaluate(explanation, masks!, cancel),
                IExplanationMetric single => single.Evaluate(model, inputs, explanation, cancel),
                _ => throw new InvalidOperationException(),
            };
        }
        catch (GlassboxException e)
        {
            return Skipped(m, $"{m.Name} failed on {method}: {e.Message}") with { Seconds = watch.Elapsed.TotalSeconds };
        }
        double seconds = watch.Elapsed.TotalSeconds;
        if (result.Scores.Length != explanation.Count * explanation.TargetsPerInput)
            throw new InvalidOperationException($"{m.Name} returned {result.Scores.Length} scores for {explanation.Count * explanation.TargetsPerInput} maps.");
        return new MetricRecord(m.Name, Category(m.Entry), m.Metric.HigherIsBetter, result.Scores, seconds, null,
            result.Detail is DeletionCurves d ? Curves(d) : null, result.Detail is RandomisationCascade c ? Cascade(c) : null);
    }

    private static MetricRecord Skipped(SelectedMetric m, string why) => new(m.Name, Category(m.Entry), m.Metric.HigherIsBetter, [], 0, why);

    private static string Category(MetricEntry e) => e.Category.ToString().ToLowerInvariant();

    private static CurveSummary Curves(DeletionCurves d)
        => new(d.Fractions, MeanCurve(d.Attribution, d.Fractions.Length), d.Random is null ? null : MeanCurve(d.Random, d.Fractions.Length));

    private static double[] MeanCurve(double[][] rows, int points)
        => Enumerable.Range(0, points).Select(p =>
        {
            var v = rows.Select(r => r[p]).Where(double.IsFinite).ToArray();
            return v.Length == 0 ? double.NaN : v.Average();
        }).ToArray();

    private static CascadeSummary Cascade(RandomisationCascade c)
        => new(c.Steps, c.Similarity, c.Scores.Select(step =>
        {
            var v = step.Where(double.IsFinite).ToArray();
            return v.Length == 0 ? double.NaN : v.Average();
        }).ToArray(), c.FirstMaps, c.MapShape, c.Cascading);

    /// <summary>A row with mean and interval of the scores; its bootstrap draws are seeded by the run's seed and the names.</summary>
    private static EvaluationRow Row(string method, MetricRecord m, EvaluateRequest r)
    {
        var ci = BootstrapInterval.Of(m.Scores, m.Skipped is null ? r.Bootstrap : 0, BootstrapInterval.StableSeed(r.Seed, method, m.Metric));
        return new EvaluationRow(method, m.Metric, m.Category, m.HigherIsBetter, m.Scores, ci.Mean, ci.Low, ci.High, ci.Count, null, m.Seconds, m.Skipped);
    }

    private static EvaluationRow Row(string pair, SelectedMetric m, double[] scores, double seconds, string? skipped, EvaluateRequest r)
        => Row(pair, new MetricRecord(m.Name, Category(m.Entry), m.Metric.HigherIsBetter, scores, seconds, skipped), r);

    /// <summary>Ranks the methods per metric by mean (1 = best, respecting the metric's direction; equal means share a rank).</summary>
    public static List<EvaluationRow> Rank(List<EvaluationRow> rows)
    {
        var ranked = new Dictionary<EvaluationRow, int>(ReferenceEqualityComparer.Instance);
        foreach (var group in rows.Where(x => x.Skipped is null && double.IsFinite(x.Mean)).GroupBy(x => x.Metric))
        {
            var order = group.OrderBy(x => x.HigherIsBetter ? -x.Mean : x.Mean).ToList();
            for (int i = 0; i < order.Count; i++)
                ranked[order[i]] = i > 0 && order[i].Mean == order[i - 1].Mean ? ranked[order[i - 1]] : i + 1;
        }
        return rows.Select(x => ranked.TryGetValue(x, out int rank) ? x with { Rank = rank } : x).ToList();
    }

    private static int[] Predict(IImageModel model, float[] pixels, int n)
    {
        var info = model.Info;
        int d = info.Channels * info.Height * info.Width, chunk = 256;
        var predictions = new int[n];
        for (int start = 0; start < n; start += chunk)
        {
            int len = Math.Min(chunk, n - start);
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var x = torch.tensor(pixels.AsSpan(start * d, len * d).ToArray(), [len, info.Channels, info.Height, info.Width], device: model.Device);
            var logits = model.Forward(x);
            ModelCapabilities.CheckOutputs(model, logits);
            logits.argmax(1).to_type(ScalarType.Int64).cpu().data<long>().ToArray().Select(v => (int)v).ToArray().CopyTo(predictions, start);
        }
        return predictions;
    }

    /// <summary>What the methods explain: one class per image, or the same K classes for every image.</summary>
    private static TargetSelection Selection(int[] table, int k, int n, bool forMethods)
    {
        if (k == 1) return TargetSelection.PerInput(table);
        var first = table[..k];
        for (int i = 1; i < n; i++)
            if (!table.AsSpan(i * k, k).SequenceEqual(first))
            {
                if (!forMethods) return TargetSelection.PerInput(table[..n]);
                throw new GlassboxException("--targets gives different classes per image with K > 1; methods explain one class per image or the same classes for all.");
            }
        return TargetSelection.Classes(first);
    }

    /// <summary>The background sample's pixels: <see cref="BackgroundSize"/> training images drawn with <paramref name="seed"/>.</summary>
    private static float[] BackgroundPixels(string data, int seed)
    {
        var train = MnistFormat.LoadFolder(EvaluationInputs.BackgroundFolder(data), "train");
        return train.Subset(Sampling.SampleIndices(train.Count, BackgroundSize, seed)).Pixels;
    }

    private static Tensor Background(float[] pixels, ModelInfo info, Device device)
        => torch.tensor(pixels, [pixels.Length / (info.Channels * info.Height * info.Width), info.Channels, info.Height, info.Width], device: device);

    /// <summary>What decides the scores: the model file, the data, images, targets, output, seed and each metric with its options.</summary>
    private static string RunKey(EvaluateRequest r, IImageModel model, int n, IReadOnlyList<SelectedMetric> metrics)
    {
        var sb = new StringBuilder();
        sb.Append("model=").Append(Path.GetFullPath(r.Model)).Append('|').Append(Stamp(r.Model)).Append('\n')
          .Append("data=").Append(Path.GetFullPath(r.Data)).Append('|').Append(Stamp(r.Data)).Append('\n')
          .Append("n=").Append(n).Append("\ntargets=").Append(r.Targets ?? "predicted").Append("\noutput=").Append(r.Output)
          .Append("\nseed=").Append(r.Seed).Append("\ndevice=").Append(model.Device.type).Append('\n')
          .Append("attributions=").Append(r.Attributions is null ? "" : Path.GetFullPath(r.Attributions) + "|" + Stamp(r.Attributions)).Append('\n');
        foreach (var m in metrics.Where(m => !m.Entry.IsPairwise))
            sb.Append("metric=").Append(m.Name).Append(string.Concat(m.OptionText.OrderBy(o => o.Key, StringComparer.Ordinal).Select(o => $";{o.Key}={o.Value}"))).Append('\n');
        return sb.ToString();
    }

    private static string Stamp(string path)
    {
        if (File.Exists(path))
        {
            var f = new FileInfo(path);
            return $"{f.Length}@{f.LastWriteTimeUtc.Ticks}";
        }
        if (Directory.Exists(path))
            return string.Join(";", Directory.EnumerateFiles(path).Order(StringComparer.Ordinal)
                .Select(p => new FileInfo(p)).Select(f => $"{f.Name}:{f.Length}@{f.LastWriteTimeUtc.Ticks}"));
        return "missing";
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    private static (MethodRecord Record, Explanation? Maps)? TryResume(EvaluationLayout layout, string name, string key, int[] targets, int k,
        ModelInfo info, OutputSpace output)
    {
        string path = layout.Result(name);
        if (!File.Exists(path)) return null;
        MethodRecord? record;
        try { record = JsonSerializer.Deserialize<MethodRecord>(File.ReadAllBytes(path), AppJson.Options); }
        catch (JsonException) { return null; }
        if (record is null || record.Key != key || record.Metrics is null) return null;
        if (record.Skipped is not null) return (record, null);
        if (!File.Exists(layout.Maps(name))) return null;
        var values = NpyFile.ReadFloat32(layout.Maps(name), out int[] shape);
        if (shape.Length != 5 || shape[1] != k || shape[0] * k != targets.Length) return null;
        var nan = Enumerable.Repeat(double.NaN, targets.Length).ToArray();
        var maps = new Explanation(name, record.MethodOptions ?? new Dictionary<string, string>(), values, shape, targets, output, nan, (double[])nan.Clone(), null, 0, false)
        {
            ClassNames = info.ClassNames,
        };
        return (record, maps);
    }
}

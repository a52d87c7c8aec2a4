using System.Diagnostics;
using System.Text.Json;
using Glassbox.Attribution;
using Glassbox.Attribution.Propagation;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.Engine;
using Glassbox.IO;
using Glassbox.Metrics.Axiomatic;
using Glassbox.Models;
using Glassbox.Attribution.Catalog;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Workflow;

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
public sealed record ExplainRequest(
    string Model, string Input, string OutputFolder, string Background, string Method = "deep-shap",
    IReadOnlyDictionary<string, string>? MethodOptions = null, int BackgroundSize = 100, string Classes = "all", string? Target = null,
    int TopK = 0, OutputSpace Output = OutputSpace.Logits, int Seed = 0, string Device = "cpu", int Threads = 0);

/// <summary>What <c>glassbox explain</c> wrote.</summary>
/// <param name="Explanation">The attributions.</param>
/// <param name="Additivity">Statistics of the method's own check (additivity / convergence delta), or null when it has none.</param>
/// <param name="Files">Written files by role, relative to the output folder.</param>
/// <param name="InputNames">Names of the inputs.</param>
/// <param name="Predictions">Predicted class of each input.</param>
/// <param name="Seconds">Time spent in the attribution method.</param>
public sealed record ExplainResult(Explanation Explanation, CompletenessReport? Additivity, IReadOnlyDictionary<string, string> Files, string[] InputNames, int[] Predictions, double Seconds);

/// <summary>Loads a model and inputs, explains them with any catalog method, writes .npy files, an image plot and force plots.</summary>
public static class ExplainJob
{
    /// <summary>Runs the request; throws <see cref="GlassboxException"/> on bad input.</summary>
    public static ExplainResult Run(ExplainRequest r, IRunObserver? observer = null, CancellationToken cancel = default, MethodCatalog? catalog = null)
    {
        observer ??= new SilentObserver();
        catalog ??= MethodCatalog.Default;
        if (r.TopK < 0) throw new GlassboxException($"--top-k must be 0 (all explained classes) or positive, not {r.TopK}.");
        if (r.BackgroundSize < 1) throw new GlassboxException($"--background-size must be at least 1, not {r.BackgroundSize}.");
        var entry = catalog.Get(r.Method);
        var ctx = TorchContext.Create(r.Device, r.Threads, r.Seed);
        using var model = LoadModel(r.Model, ctx.Device);
                var info = model.Info;
        var (pixels, n, names) = InputImages.Load(r.Input, info);
        var options = r.MethodOptions ?? new Dictionary<string, string>();
        var settings = entry.Bind(options, new OptionContext(info, ctx.Device), r.Output, r.Seed);
        int backgroundCount = 0;
        if (entry.UsesBaselineDistribution && settings.Baselines is null)
        {
            var background = LoadBackground(r, info);
            backgroundCount = background.Count;
            settings = settings with { Baselines = Baseline.FromImages(torch.tensor(background.Pixels, [background.Count, info.Channels, info.Height, info.Width], device: ctx.Device)) };
        }

        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(pixels, [n, info.Channels, info.Height, info.Width], device: ctx.Device);
        float[] probs;
        using (torch.no_grad()) probs = nn.functional.softmax(model.Forward(x), 1).cpu().data<float>().ToArray();
        var predictions = Enumerable.Range(0, n).Select(i => ArgMax(probs.AsSpan(i * info.Classes, info.Classes))).ToArray();
        var targets = r.Target is { } t ? TargetSelection.Parse(t, n, info.ClassNames) : ParseClasses(r.Classes, info.ClassNames, predictions);

        var method = settings.Create(model);
        string stage = entry.Name;
        observer.StageStarted(stage, n);
        var clock = Stopwatch.StartNew();
        var e = method.Attribute(x, targets, new Progress(observer, stage), cancel);
        double seconds = clock.Elapsed.TotalSeconds;
        var additivity = e.AdditivityErrors is null ? null : CompletenessReport.Of(e);
        observer.StageFinished(stage, $"{n} inputs × {e.TargetsPerInput} classes in {seconds:F1} s" +
            (additivity is null ? "" : $"; max {(e.AdditivityGuaranteed ? "additivity error" : "|convergence delta|")} {additivity.Max:E2}"));

        Directory.CreateDirectory(r.OutputFolder);
        string F(string name) => Path.Combine(r.OutputFolder, name);
        var files = new Dictionary<string, string>();
        int k = e.TargetsPerInput;
        NpyFile.Write(F("attributions.npy"), e.Values, e.Shape); files["attributions"] = "attributions.npy";
        NpyFile.Write(F("targets.npy"), e.Targets.Select(v => (long)v).ToArray(), [n, k]); files["targets"] = "targets.npy";
        NpyFile.Write(F("inputs.npy"), pixels, [n, info.Channels, info.Height, info.Width]); files["inputs"] = "inputs.npy";
        NpyFile.Write(F("probabilities.npy"), probs, [n, info.Classes]); files["probabilities"] = "probabilities.npy";
        bool hasOutputs = e.Outputs.All(double.IsFinite), hasBase = e.BaseValues.All(double.IsFinite);
        if (hasOutputs) { NpyFile.Write(F("outputs.npy"), e.Outputs, [n, k]); files["outputs"] = "outputs.npy"; }
        if (hasBase) { NpyFile.Write(F("base_values.npy"), e.BaseValues, [n, k]); files["baseValues"] = "base_values.npy"; }
        if (method is DeepShap shap)
        {
            NpyFile.Write(F("shap_values.npy"), e.Values, e.Shape); files["shapValues"] = "shap_values.npy";
            NpyFile.Write(F("expected_value.npy"), shap.ExpectedValue, [info.Classes]); files["expectedValue"] = "expected_value.npy";
        }
        bool additive = e.AdditivityErrors is not null && hasOutputs && hasBase;
        foreach (var (key, v) in ExplanationFigures.WriteExplainFigures(r.OutputFolder, pixels, e, probs, info, names, r.TopK, ColorbarLabel(entry, e), additive))
            files[key] = v;
        var deltas = additive ? Enumerable.Range(0, n * k).Select(e.Delta).ToArray() : null;
        var summary = new
        {
            method = entry.Name, methodClass = e.Method, family = entry.Family, settings = SettingsDescriber.Describe(e.Settings),
            noiseTunnel = settings.NoiseTunnel is { } nt ? OptionValues.Format(nt.Type) : null, output = e.Output.ToString().ToLowerInvariant(),
            model = Path.GetFullPath(r.Model), modelKind = model.Kind.ToString(), architecture = info.Architecture,
            backgroundSize = backgroundCount, inputs = names, predictions, targets = e.Targets, seconds,
            outputs = hasOutputs ? e.Outputs : null, baseValues = hasBase ? e.BaseValues : null,
            check = additivity is null ? null : new
            {
                kind = e.AdditivityGuaranteed ? "additivity (guaranteed by the method)" : "convergence delta (estimator; reported, not a failure)",
                guaranteed = e.AdditivityGuaranteed, holds = !e.AdditivityGuaranteed || additivity.Holds,
                maxAbs = additivity.Max, meanAbs = additivity.Mean, maxRelative = additivity.MaxRelative, tolerance = additivity.Tolerance,
                failures = e.AdditivityGuaranteed ? additivity.Failures : 0, signedDeltas = deltas,
            },
            files,
        };
        AtomicFile.WriteAllText(F("explanation.json"), JsonSerializer.Serialize(summary, ReferenceWorkflow.JsonOptions));
        files["summary"] = "explanation.json";
        return new ExplainResult(e, additivity, files, names, predictions, seconds);
    }

    /// <summary>Loads the model to explain.</summary>
    public static IImageModel LoadModel(string path, Device device) => Glassbox.Models.Sources.ModelLoader.Load(path, device);

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
            else if (int.TryParse(part, out int idx) && idx >= 0 && idx < classNames.Count) list.Add(idx);
            else throw new GlassboxException($"Unknown class '{part}'. The model's classes are: {string.Join(", ", classNames.Select((c, i) => $"{i}={c}"))}; or use 'all' or 'predicted'.");
        }
        if (list.Count == 0) throw new GlassboxException("No class given; use --classes all, predicted, or a list like 3,7.");
        return TargetSelection.Classes(list.ToArray());
    }

    private static string ColorbarLabel(MethodEntry entry, Explanation e)
    {
        string space = e.Output == OutputSpace.Logits ? "logit" : "probability";
        return entry.Name == "deep-shap" ? $"SHAP value ({space})" : $"attribution ({space})";
    }

    private static ImageDataset LoadBackground(ExplainRequest r, ModelInfo info)
    {
        if (Directory.Exists(r.Background))
        {
            var train = MnistFormat.LoadFolder(r.Background, "train");
            if (train.Channels != info.Channels || train.Height != info.Height || train.Width != info.Width)
                throw new GlassboxException($"Background images in '{r.Background}' are {train.Channels}×{train.Height}×{train.Width}; the model expects {info.Channels}×{info.Height}×{info.Width}. Pass --baselines <file.npy>.");
            return train.Subset(ReferenceWorkflow.SampleIndices(train.Count, r.BackgroundSize, r.Seed));
        }
        var (px, count, _) = InputImages.Load(r.Background, info);
        return new ImageDataset(px, count, info.Channels, info.Height, info.Width, new int[count], info.ClassNames);
    }

    private static int ArgMax(ReadOnlySpan<float> p)
    {
        int best = 0;
        for (int i = 1; i < p.Length; i++) if (p[i] > p[best]) best = i;
        return best;
    }

    private sealed class Progress(IRunObserver observer, string stage) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => observer.StageProgress(stage, value.Done);
    }
}

using System.Text.Json;
using Glassbox.Attribution;
using Glassbox.Attribution.Propagation;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.Engine;
using Glassbox.IO;
using Glassbox.Metrics.Axiomatic;
using Glassbox.Models;
using Glassbox.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Workflow;

/// <summary>What <c>glassbox explain</c> should do.</summary>
/// <param name="Checkpoint">Checkpoint folder.</param>
/// <param name="Input">.npy file, PNG/JPEG image, or folder of images.</param>
/// <param name="OutputFolder">Where to write attributions and plots.</param>
/// <param name="Background">A .npy of background images, or an MNIST-format folder whose training images are sampled.</param>
/// <param name="BackgroundSize">Background images sampled from a folder (SHAP's usual 100).</param>
/// <param name="Classes">"all", "predicted", or a comma-separated list of class indices or names.</param>
/// <param name="TopK">Classes shown per row in the image plot (by probability); 0 shows every explained class.</param>
/// <param name="Output">Logits or probabilities.</param>
/// <param name="Seed">Seeds background sampling.</param>
/// <param name="PairsPerChunk">DeepSHAP pairs per chunk (memory bound).</param>
/// <param name="Device">cpu, cuda or auto.</param>
/// <param name="Threads">libtorch threads (0 = default).</param>
public sealed record ExplainRequest(
    string Checkpoint, string Input, string OutputFolder, string Background, int BackgroundSize = 100, string Classes = "all",
    int TopK = 0, OutputSpace Output = OutputSpace.Logits, int Seed = 0, int PairsPerChunk = 200, string Device = "cpu", int Threads = 0);

/// <summary>What <c>glassbox explain</c> wrote.</summary>
public sealed record ExplainResult(Explanation Explanation, CompletenessReport Additivity, IReadOnlyDictionary<string, string> Files, string[] InputNames, int[] Predictions);

/// <summary>Loads a checkpoint and inputs, explains them with DeepSHAP, writes .npy files, an image plot and force plots.</summary>
public static class ExplainJob
{
    /// <summary>Runs the request; throws <see cref="GlassboxException"/> on bad input.</summary>
    public static ExplainResult Run(ExplainRequest r, IRunObserver? observer = null, CancellationToken cancel = default)
    {
        observer ??= new SilentObserver();
        if (r.TopK < 0) throw new GlassboxException($"--top-k must be 0 (all explained classes) or positive, not {r.TopK}.");
        if (r.BackgroundSize < 1) throw new GlassboxException($"--background-size must be at least 1, not {r.BackgroundSize}.");
        var ctx = TorchContext.Create(r.Device, r.Threads, r.Seed);
        var (model, meta) = Checkpoint.Load(r.Checkpoint, ctx.Device);
        using var _ = model;
        var info = model.Info;
        var (pixels, n, names) = InputImages.Load(r.Input, info);
        var background = LoadBackground(r, info);
        using var scope = torch.NewDisposeScope();
        var bg = torch.tensor(background.Pixels, [background.Count, info.Channels, info.Height, info.Width], device: ctx.Device);
        var x = torch.tensor(pixels, [n, info.Channels, info.Height, info.Width], device: ctx.Device);
        float[] probs;
        using (torch.no_grad()) probs = model.Probabilities(x).cpu().data<float>().ToArray();
        var predictions = Enumerable.Range(0, n).Select(i => ArgMax(probs.AsSpan(i * info.Classes, info.Classes))).ToArray();
        var targets = ParseClasses(r.Classes, info.ClassNames, predictions);

        var explainer = new DeepShap(model, bg, new DeepShapOptions(r.Output, r.PairsPerChunk));
        observer.StageStarted("DeepSHAP", n);
        var progress = new Progress(observer);
        var e = explainer.Explain(x, targets, progress, cancel);
        var additivity = CompletenessReport.Of(e);
        observer.StageFinished("DeepSHAP", $"{n} inputs × {e.TargetsPerInput} classes; max additivity error {additivity.Max:E2}");

        Directory.CreateDirectory(r.OutputFolder);
        string F(string name) => Path.Combine(r.OutputFolder, name);
        var files = new Dictionary<string, string>();
        NpyFile.Write(F("shap_values.npy"), e.Values, e.Shape); files["shapValues"] = "shap_values.npy";
        NpyFile.Write(F("targets.npy"), e.Targets.Select(t => (long)t).ToArray(), [n, e.TargetsPerInput]); files["targets"] = "targets.npy";
        NpyFile.Write(F("expected_value.npy"), explainer.ExpectedValue, [info.Classes]); files["expectedValue"] = "expected_value.npy";
        NpyFile.Write(F("inputs.npy"), pixels, [n, info.Channels, info.Height, info.Width]); files["inputs"] = "inputs.npy";
        NpyFile.Write(F("probabilities.npy"), probs, [n, info.Classes]); files["probabilities"] = "probabilities.npy";
        foreach (var (k, v) in ExplanationFigures.WriteExplainFigures(r.OutputFolder, pixels, e, probs, info, names, r.TopK))
            files[k] = v;
        var summary = new
        {
            method = e.Method, settings = e.Settings, output = e.Output.ToString().ToLowerInvariant(),
            checkpoint = Path.GetFullPath(r.Checkpoint), architecture = info.Architecture,
            backgroundSize = background.Count, inputs = names, predictions, targets = e.Targets,
            outputs = e.Outputs, baseValues = e.BaseValues, additivityErrors = e.AdditivityErrors, additivity, files,
        };
        AtomicFile.WriteAllText(F("explanation.json"), JsonSerializer.Serialize(summary, ReferenceWorkflow.JsonOptions));
        files["summary"] = "explanation.json";
        return new ExplainResult(e, additivity, files, names, predictions);
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
            else if (int.TryParse(part, out int idx) && idx >= 0 && idx < classNames.Count) list.Add(idx);
            else throw new GlassboxException($"Unknown class '{part}'. The model's classes are: {string.Join(", ", classNames.Select((c, i) => $"{i}={c}"))}; or use 'all' or 'predicted'.");
        }
        if (list.Count == 0) throw new GlassboxException("No class given; use --classes all, predicted, or a list like 3,7.");
        return TargetSelection.Classes(list.ToArray());
    }

    private static ImageDataset LoadBackground(ExplainRequest r, ModelInfo info)
    {
        if (Directory.Exists(r.Background))
        {
            var train = MnistFormat.LoadFolder(r.Background, "train");
            if (train.Channels != info.Channels || train.Height != info.Height || train.Width != info.Width)
                throw new GlassboxException($"Background images in '{r.Background}' are {train.Channels}×{train.Height}×{train.Width}; the model expects {info.Channels}×{info.Height}×{info.Width}.");
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

    private sealed class Progress(IRunObserver observer) : IProgress<(int Done, int Total)>
    {
        public void Report((int Done, int Total) value) => observer.StageProgress("DeepSHAP", value.Done);
    }
}

using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Metrics.Agreement;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.App;

/// <summary>One method's agreement across the evaluated model and the <c>--compare-models</c>, or why it was not measured.</summary>
/// <param name="Method">The method.</param>
/// <param name="Models">The models compared, the evaluated one first (paths as given).</param>
/// <param name="Result">The k×k Spearman and top-10 % overlap matrices with their mean, spread and worst pair; null when skipped.</param>
/// <param name="Skipped">Why it was not measured, or null.</param>
public sealed record ModelAgreementRow(string Method, IReadOnlyList<string> Models, ModelAgreementResult? Result, string? Skipped);

/// <summary>
/// The reference workflow's retrain-and-compare step, generalised: every method explains the same images and targets
/// with each of k models (trained on different splits or seeds), and <see cref="ModelAgreement"/> says how much the
/// maps agree across the models — an explanation that changes with the training run says little about the task.
/// </summary>
internal static class ModelAgreementStage
{
    /// <summary>
    /// Explains with every model in <paramref name="others"/> and compares with the evaluated model's maps in
    /// <paramref name="maps"/>, method by method. A model whose inputs or classes differ from <paramref name="model"/>'s is an error.
    /// </summary>
    public static List<ModelAgreementRow> Run(IImageModel model, string modelPath, IReadOnlyList<string> others,
        IReadOnlyList<MethodEntry> methods, IReadOnlyDictionary<string, Explanation> maps, float[] pixels, string[] names,
        TargetSelection selection, OutputSpace output, int seed, Func<IImageModel, Tensor> background, IRunObserver observer,
        CancellationToken cancel)
    {
        var rows = new List<ModelAgreementRow>();
        var modelNames = new[] { modelPath }.Concat(others).ToArray();
        var explained = methods.ToDictionary(m => m.Name, m => new List<Explanation>(), StringComparer.Ordinal);
        var skipped = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var m in methods)
        {
            if (maps.TryGetValue(m.Name, out var own)) explained[m.Name].Add(own);
            else skipped[m.Name] = $"{m.Name} did not run on {modelPath}";
        }
        observer.StageStarted("agreement across models", others.Count * methods.Count);
        int done = 0;
        foreach (var path in others)
        {
            cancel.ThrowIfCancellationRequested();
            using var other = ExplainJob.LoadModel(path, model.Device);
            CheckSameTask(model.Info, other.Info, modelPath, path);
            foreach (var m in methods)
            {
                cancel.ThrowIfCancellationRequested();
                if (!skipped.ContainsKey(m.Name))
                {
                    try
                    {
                        var e = ExplainStage.Run(other, m, new Dictionary<string, string>(), pixels, names, _ => selection, output, seed,
                            () => background(other), stage: $"{m.Name} on {Path.GetFileName(Path.TrimEndingDirectorySeparator(path))}", cancel: cancel);
                        explained[m.Name].Add(e.Explanation);
                    }
                    catch (GlassboxException ex)
                    {
                        skipped[m.Name] = $"{m.Name} cannot run on {path}: {ex.Message}";
                    }
                }
                observer.StageProgress("agreement across models", ++done, m.Name);
            }
        }
        var agreement = new ModelAgreement();
        foreach (var m in methods)
            rows.Add(skipped.TryGetValue(m.Name, out var why)
                ? new ModelAgreementRow(m.Name, modelNames, null, why)
                : new ModelAgreementRow(m.Name, modelNames, agreement.Compare(explained[m.Name], cancel), null));
        observer.StageFinished("agreement across models", $"{methods.Count} methods × {modelNames.Length} models");
        return rows;
    }

    private static void CheckSameTask(ModelInfo a, ModelInfo b, string pathA, string pathB)
    {
        if (a.Channels != b.Channels || a.Height != b.Height || a.Width != b.Width || !a.ClassNames.SequenceEqual(b.ClassNames))
            throw new GlassboxException(
                $"--compare-models needs models of the same task: {pathA} takes {a.Channels}×{a.Height}×{a.Width} images with classes {string.Join(",", a.ClassNames)}, " +
                $"but {pathB} takes {b.Channels}×{b.Height}×{b.Width} with classes {string.Join(",", b.ClassNames)}. Compare models trained on the same data.");
    }
}

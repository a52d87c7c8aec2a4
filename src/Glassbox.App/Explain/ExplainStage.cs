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
/// <param name="Explanation">The attributions, with <see cref="Explanation.Inputs"/> and <see cref="Explanation.ClassNames"/> set.</param>
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
    {
        observer ??= new SilentObserver();
        stage ??= entry.Name;
        var info = model.Info;
        int n = names.Length;
        int backgroundCount = 0;
        var (method, settings) = MethodFactory.Create(entry, optionText, model, output, seed, () =>
        {
            var background = defaultBackground();
            backgroundCount = (int)background.shape[0];
            return background;
        });

        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(pixels, [n, info.Channels, info.Height, info.Width], device: model.Device);
        float[] probs;
        using (torch.no_grad()) probs = nn.functional.softmax(model.Forward(x), 1).cpu().data<float>().ToArray();
        var predictions = Enumerable.Range(0, n).Select(i => ArgMax(probs.AsSpan(i * info.Classes, info.Classes))).ToArray();
        var selection = targets(predictions);

        observer.StageStarted(stage, n);
        var clock = Stopwatch.StartNew();
        var e = method.Attribute(x, selection, new StageProgress(observer, stage), cancel) with { Inputs = pixels, ClassNames = info.ClassNames };
        double seconds = clock.Elapsed.TotalSeconds;
        var result = new ExplainedImages(entry, e, info, names, probs, predictions, (method as DeepShap)?.ExpectedValue, backgroundCount, seconds, settings);
        var additivity = result.Additivity;
        observer.StageFinished(stage, $"{n} inputs × {e.TargetsPerInput} classes in {seconds:F1} s" +
            (additivity is null ? "" : $"; max {(e.AdditivityGuaranteed ? "additivity error" : "|convergence delta|")} {NumberFormat.Scientific(additivity.Max)}"));
        return result;
    }

    private static int ArgMax(ReadOnlySpan<float> p)
    {
        int best = 0;
        for (int i = 1; i < p.Length; i++) if (p[i] > p[best]) best = i;
        return best;
    }
}

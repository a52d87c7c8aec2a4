using Glassbox.Metrics.Axiomatic;
using Glassbox.Metrics.Faithfulness;
using Glassbox.Models;
using Glassbox.Visualization;

namespace Glassbox.App;

/// <summary>The reliability checks of one explanation.</summary>
/// <param name="Method">Method that made the explanation.</param>
/// <param name="Additivity">Additivity statistics (a promise for DeepLIFT/SHAP-style methods, a convergence delta for estimators); null when the method reports none.</param>
/// <param name="AdditivityGuaranteed">True when the method promises additivity, so a failure means the attributions are wrong.</param>
/// <param name="Deletion">Deletion curves (Petsiuk et al. 2018) of each input's checked class against random order.</param>
/// <param name="DeletionTargets">The class whose attribution map ordered the deletion, per input.</param>
public sealed record ReliabilityChecks(string Method, CompletenessReport? Additivity, bool AdditivityGuaranteed, DeletionResult Deletion, int[] DeletionTargets)
{
    /// <summary>False only when a promised additivity fails.</summary>
    public bool AdditivityHolds => Additivity is null || !AdditivityGuaranteed || Additivity.Holds;
}

/// <summary>Stage 2 of explain and demo: check an explanation (additivity where promised; deletion against random order).</summary>
public static class CheckStage
{
    /// <summary>
    /// Checks <paramref name="explained"/> on its own images (or takes the deletion check the explain stage ran chunk by
    /// chunk, <see cref="ChunkPlan.Check"/>): per input, the map of its predicted class (or, when that
    /// class was not explained, of its most probable explained class) orders the deletion.
    /// </summary>
    public static ReliabilityChecks Run(IImageModel model, ExplainedImages explained, DeletionOptions? options = null,
        IRunObserver? observer = null, string stage = "Checks")
    {
        observer ??= new SilentObserver();
        var e = explained.Explanation;
        int n = e.Count, k = e.TargetsPerInput, d = e.MapSize, classes = explained.Info.Classes;
        observer.StageStarted(stage, 1);
        DeletionResult deletion;
        int[] targets;
        if (explained.Deletion is { } done)
            (deletion, targets) = done;
        else
        {
            if (!explained.Complete) throw new InvalidOperationException("The explain stage streamed its maps; ask it to run the check chunk by chunk (ChunkPlan.Check).");
            var maps = new float[(long)n * d];
            targets = new int[n];
            for (int i = 0; i < n; i++)
            {
                int slot = Slot(e.Targets.AsSpan(i * k, k), explained.Predictions[i], explained.Probabilities.AsSpan(i * classes, classes));
                targets[i] = e.Targets[i * k + slot];
                e.Map(i, slot).CopyTo(maps.AsSpan(i * d, d));
            }
            var pixels = e.Inputs ?? throw new GlassboxException($"The {e.Method} explanation carries no inputs to check.");
            deletion = Deletion.Evaluate(model, pixels, maps, targets, options);
        }
        var checks = new ReliabilityChecks(explained.Entry.Name, explained.Additivity, e.AdditivityGuaranteed, deletion, targets);
        observer.StageFinished(stage, $"deletion AUC {deletion.AttributionAuc:F3} by attribution vs {deletion.RandomAuc:F3} random" +
            (checks.Additivity is { } a ? $"; max {(checks.AdditivityGuaranteed ? "additivity error" : "|convergence delta|")} {NumberFormat.Scientific(a.Max)}" : ""));
        return checks;
    }

    /// <summary>The target slot whose map orders the deletion: the predicted class when explained, else the most probable explained class.</summary>
    public static int Slot(ReadOnlySpan<int> targets, int prediction, ReadOnlySpan<float> probabilities)
    {
        int best = 0;
        for (int s = 0; s < targets.Length; s++)
        {
            if (targets[s] == prediction) return s;
            if (probabilities[targets[s]] > probabilities[targets[best]]) best = s;
        }
        return best;
    }
}

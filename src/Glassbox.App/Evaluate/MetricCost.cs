using Glassbox.Metrics;

namespace Glassbox.App;

/// <summary>How long a metric takes, roughly: what <c>--metrics fast</c> leaves out.</summary>
public enum MetricCostClass
{
    /// <summary>Reads the maps, or a few dozen forward passes per map.</summary>
    Fast,
    /// <summary>Retrains a model (ROAR/KAR), or draws hundreds of perturbed inputs (or more than a few re-explanations) per map.</summary>
    Slow,
}

/// <summary>
/// The app's notion of a metric's cost, decided from the catalog entry without running it: retraining metrics by name;
/// metrics whose sample or retraining count (an option named like "samples", "perturbations", "epochs") defaults to
/// more than <see cref="MaxFastSamples"/> (<see cref="MaxFastReexplanations"/> when every sample is explained again); and metrics that perturb so few features per forward pass by default
/// (an integer option "features-in-step") that one map costs more than <see cref="MaxFastPassesPerMap"/> forward passes on
/// the smallest image the app explains (<see cref="SmallestImageElements"/> elements, a 28×28 MNIST digit).
/// Measured on that sample (100 maps, 2 cores): such a metric (pixel flipping, monotonicity, non-sensitivity at one
/// feature per step: 784 passes per map) takes 12–45 s per method, the fast perturbation metrics (≤ 100 passes per map) 2–9 s.
/// </summary>
public static class MetricCost
{
    /// <summary>Largest per-map sample count of a fast metric.</summary>
    public const int MaxFastSamples = 50;

    /// <summary>
    /// Largest per-map sample count of a fast metric that explains every sample again (<see cref="IReexplainingMetric"/>):
    /// each sample costs a whole explanation (50 gradient passes for integrated gradients, hundreds of forward passes for
    /// occlusion), so max-sensitivity's 10 copies per map took 39 s of deep-shap's 79 s on 20 images.
    /// </summary>
    public const int MaxFastReexplanations = 5;

    /// <summary>Largest number of forward passes per map (on a <see cref="SmallestImageElements"/>-element image) of a fast metric.</summary>
    public const int MaxFastPassesPerMap = 100;

    /// <summary>Elements (C·H·W) of the smallest image the app explains: a 28×28 grey-scale digit.</summary>
    public const int SmallestImageElements = 28 * 28;

    /// <summary>Metrics that retrain a model (Hooker et al. 2019's ROAR and its keep-variant) — slow whatever their options.</summary>
    public static IReadOnlySet<string> RetrainingMetrics { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "roar", "kar", "remove-and-retrain", "keep-and-retrain", "roar-deletion", "roar-insertion",
    };

    private static readonly string[] CountWords = ["samples", "perturbations", "epochs", "retrain", "draws", "repeats"];

    /// <summary>The cost class of <paramref name="entry"/>.</summary>
    public static MetricCostClass Of(MetricEntry entry) => SlowBecause(entry) is null ? MetricCostClass.Fast : MetricCostClass.Slow;

    /// <summary>Why <paramref name="entry"/> is slow (what <c>--metrics fast</c> says when it leaves it out), or null when it is fast.</summary>
    public static string? SlowBecause(MetricEntry entry)
    {
        if (RetrainingMetrics.Contains(entry.Name) || entry.Name.Contains("retrain", StringComparison.OrdinalIgnoreCase))
            return "retrains a model";
        foreach (var field in entry.Schema?.Fields ?? [])
        {
            if (field.Kind != "integer" || !int.TryParse(field.Default, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int n))
                continue;
            if (CountWords.Any(w => field.Flag.Contains(w, StringComparison.Ordinal)) && n > MaxFastSamples
                && !field.Flag.Contains("batch", StringComparison.Ordinal) && !field.Flag.Contains("per-eval", StringComparison.Ordinal))
                return $"{field.Flag} {n} per map; fast: at most {MaxFastSamples}";
            if (entry.Metric is IReexplainingMetric && CountWords.Any(w => field.Flag.Contains(w, StringComparison.Ordinal)) && n > MaxFastReexplanations)
                return $"{field.Flag} {n}: explains every map {n} more times; fast: at most {MaxFastReexplanations}";
            if (field.Flag == "features-in-step" && n >= 1 && (SmallestImageElements + n - 1) / n > MaxFastPassesPerMap)
                return $"features-in-step {n}: {(SmallestImageElements + n - 1) / n} forward passes per map on 28×28, C·H·W/{n} in general; fast: at most {MaxFastPassesPerMap}";
        }
        return null;
    }
}

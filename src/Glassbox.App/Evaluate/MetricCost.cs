using Glassbox.Metrics;

namespace Glassbox.App;

/// <summary>How long a metric takes, roughly: what <c>--metrics fast</c> leaves out.</summary>
public enum MetricCostClass
{
    /// <summary>Reads the maps, or a few dozen forward passes per map.</summary>
    Fast,
    /// <summary>Retrains a model (ROAR/KAR) or draws hundreds of perturbed inputs or re-explanations per map.</summary>
    Slow,
}

/// <summary>
/// The app's notion of a metric's cost, decided from the catalog entry without running it: retraining metrics by name,
/// and metrics whose sample or retraining count (an option named like "samples", "perturbations", "epochs") defaults to
/// more than <see cref="MaxFastSamples"/>.
/// </summary>
public static class MetricCost
{
    /// <summary>Largest per-map sample count of a fast metric.</summary>
    public const int MaxFastSamples = 50;

    /// <summary>Metrics that retrain a model (Hooker et al. 2019's ROAR and its keep-variant) — slow whatever their options.</summary>
    public static IReadOnlySet<string> RetrainingMetrics { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "roar", "kar", "remove-and-retrain", "keep-and-retrain", "roar-deletion", "roar-insertion",
    };

    private static readonly string[] CountWords = ["samples", "perturbations", "epochs", "retrain", "draws", "repeats"];

    /// <summary>The cost class of <paramref name="entry"/>.</summary>
    public static MetricCostClass Of(MetricEntry entry)
    {
        if (RetrainingMetrics.Contains(entry.Name) || entry.Name.Contains("retrain", StringComparison.OrdinalIgnoreCase)) return MetricCostClass.Slow;
        foreach (var field in entry.Schema?.Fields ?? [])
        {
            if (field.Kind != "integer" || !CountWords.Any(w => field.Flag.Contains(w, StringComparison.Ordinal))) continue;
            if (int.TryParse(field.Default, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int n)
                && n > MaxFastSamples && !field.Flag.Contains("batch", StringComparison.Ordinal) && !field.Flag.Contains("per-eval", StringComparison.Ordinal))
                return MetricCostClass.Slow;
        }
        return MetricCostClass.Fast;
    }
}

using Glassbox.Attribution;
using Glassbox.Metrics;
using static TorchSharp.torch;

namespace Glassbox.App;

/// <summary>
/// The chance level of each localisation metric: its mean score on seeded uniform random maps of the same shape and
/// targets as the explanations. A method that finds the evidence scores above it; for the pointing game and relevance
/// mass/rank accuracy it is close to the mask's share of the image.
/// </summary>
internal static class LocalisationChance
{
    /// <summary>Metric name → mean score of random maps shaped like <paramref name="like"/>; a metric that fails on them is left out.</summary>
    public static IReadOnlyDictionary<string, double> Compute(IEnumerable<SelectedMetric> metrics, Explanation like, Tensor masks, int seed, CancellationToken cancel)
    {
        var rng = new Random(seed);
        var values = new float[like.Values.Length];
        for (int i = 0; i < values.Length; i++) values[i] = rng.NextSingle();
        var random = like with { Method = "random", Values = values };
        var chance = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var m in metrics)
        {
            if (m.Metric is not ILocalisationMetric loc) continue;
            cancel.ThrowIfCancellationRequested();
            try
            {
                chance[m.Name] = loc.Evaluate(random, masks, cancel).Mean;
            }
            catch (GlassboxException)
            {
                // The metric refuses these maps for the same reason it refused the methods' (recorded there).
            }
        }
        return chance;
    }
}

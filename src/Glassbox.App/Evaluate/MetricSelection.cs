using Glassbox.Attribution.Catalog;
using Glassbox.Metrics;
using Glassbox.Models;

namespace Glassbox.App;

/// <summary>One metric chosen for a run, built with its options.</summary>
/// <param name="Entry">The catalog entry.</param>
/// <param name="Metric">The metric with the options given by <c>--metric-option</c>.</param>
/// <param name="OptionText">Those options as text (flag → value), for the record and the resume key.</param>
public sealed record SelectedMetric(MetricEntry Entry, IMetric Metric, IReadOnlyDictionary<string, string> OptionText)
{
    /// <summary>The metric's name.</summary>
    public string Name => Entry.Name;
}

/// <summary>Parses <c>--metrics</c> and <c>--metric-option</c>.</summary>
public static class MetricSelection
{
    /// <summary>
    /// The entries <paramref name="spec"/> names: "all", "fast" (all whose <see cref="MetricCost"/> is fast), a category
    /// (faithfulness, robustness, localisation, complexity, randomisation, axiomatic, agreement), or a comma-separated list
    /// of names and categories. Unknown names are an error listing the metrics.
    /// </summary>
    public static IReadOnlyList<MetricEntry> Parse(string spec, MetricCatalog catalog)
    {
        if (string.IsNullOrWhiteSpace(spec))
            throw new GlassboxException($"--metrics is empty; pass all, fast, a category ({Categories}) or names like {string.Join(",", catalog.Entries.Take(2).Select(e => e.Name))}.");
        var chosen = new List<MetricEntry>();
        foreach (string part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            IEnumerable<MetricEntry> add;
            if (part.Equals("all", StringComparison.OrdinalIgnoreCase)) add = catalog.Entries;
            else if (part.Equals("fast", StringComparison.OrdinalIgnoreCase)) add = catalog.Entries.Where(e => MetricCost.Of(e) == MetricCostClass.Fast);
            else if (Category(part) is { } c) add = catalog.Entries.Where(e => e.Category == c);
            else if (catalog.Entries.Any(e => e.Name.Equals(part, StringComparison.OrdinalIgnoreCase))) add = [catalog.Get(part)];
            else
                throw new GlassboxException(
                    $"Unknown metric '{part}' in --metrics. Use all, fast, a category ({Categories}) or metric names: {string.Join(", ", catalog.Entries.Select(e => e.Name))}.");
            foreach (var e in add) if (!chosen.Contains(e)) chosen.Add(e);
        }
        if (chosen.Count == 0) throw new GlassboxException($"--metrics {spec} selects no metric; the catalog has: {string.Join(", ", catalog.Entries.Select(e => e.Name))}.");
        return chosen;
    }

    /// <summary>The metrics <c>--metrics fast</c> leaves out of <paramref name="catalog"/>, each with the reason (<see cref="MetricCost.SlowBecause"/>).</summary>
    public static IReadOnlyList<(string Name, string Reason)> LeftOutByFast(MetricCatalog catalog)
        => catalog.Entries.Select(e => (e.Name, Reason: MetricCost.SlowBecause(e))).Where(x => x.Reason is not null).Select(x => (x.Name, x.Reason!)).ToList();

    /// <summary>
    /// Splits "metric.flag=value" entries into per-metric option text (flags with or without dashes). An entry without
    /// a dot or '=', for a metric not in <paramref name="selected"/>, or with a flag or value the metric refuses is an error.
    /// </summary>
    public static IReadOnlyList<SelectedMetric> Bind(IReadOnlyList<MetricEntry> selected, IReadOnlyList<string>? optionEntries, ModelInfo info, TorchSharp.torch.Device device)
    {
        var text = selected.ToDictionary(e => e.Name, _ => new Dictionary<string, string>(StringComparer.Ordinal), StringComparer.OrdinalIgnoreCase);
        foreach (string raw in optionEntries ?? [])
        {
            int eq = raw.IndexOf('=');
            int dot = eq < 0 ? -1 : raw.LastIndexOf('.', eq);
            if (eq < 0 || dot <= 0 || dot + 1 >= eq)
                throw new GlassboxException($"--metric-option '{raw}' must look like metric.flag=value (e.g. deletion.steps=50).");
            string metric = raw[..dot].Trim(), flag = raw[(dot + 1)..eq].Trim().TrimStart('-'), value = raw[(eq + 1)..].Trim();
            if (!text.TryGetValue(metric, out var options))
                throw new GlassboxException(
                    $"--metric-option '{raw}' is for metric '{metric}', which is not among the selected metrics ({string.Join(", ", selected.Select(e => e.Name))}).");
            if (value.Length == 0) throw new GlassboxException($"--metric-option '{raw}' has no value; write {metric}.{flag}=VALUE.");
            if (!options.TryAdd(flag, value)) throw new GlassboxException($"--metric-option sets {metric}.{flag} twice.");
        }
        var context = new OptionContext(info, device);
        return selected.Select(e =>
        {
            var options = text[e.Name];
            try
            {
                return new SelectedMetric(e, e.Create(options, context), options);
            }
            catch (GlassboxException ex)
            {
                throw new GlassboxException($"--metric-option for {e.Name}: {ex.Message}", ex);
            }
        }).ToList();
    }

    private static string Categories => string.Join(", ", Enum.GetNames<MetricCategory>().Select(n => n.ToLowerInvariant()));

    private static MetricCategory? Category(string name)
    {
        string n = name.Equals("localization", StringComparison.OrdinalIgnoreCase) ? "localisation"
            : name.Equals("randomization", StringComparison.OrdinalIgnoreCase) ? "randomisation" : name;
        return Enum.GetValues<MetricCategory>().Cast<MetricCategory?>().FirstOrDefault(c => c.ToString()!.Equals(n, StringComparison.OrdinalIgnoreCase));
    }
}

using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Models;

namespace Glassbox.Tests.Attribution.Catalog;

/// <summary>Builds catalog methods from option text, as the command line does.</summary>
internal static class Catalogued
{
    public static MethodSettings Bind(MethodEntry entry, IImageModel model, IReadOnlyDictionary<string, string>? text = null, Baseline? baselines = null)
    {
        var settings = entry.Bind(text ?? new Dictionary<string, string>(), new OptionContext(model.Info, model.Device));
        return baselines is null ? settings : settings with { Baselines = baselines };
    }

    public static IAttributionMethod Create(MethodEntry entry, IImageModel model, IReadOnlyDictionary<string, string>? text = null, Baseline? baselines = null)
        => Bind(entry, model, text, baselines).Create(model);

    /// <summary>Only the flags <paramref name="entry"/> reads (plus output and seed), as a caller offering one form for many methods would pass.</summary>
    public static Dictionary<string, string> For(MethodEntry entry, IReadOnlyDictionary<string, string> text)
        => text.Where(p => MethodEntry.CommonFlags.Contains(p.Key) || entry.Options.Any(f => f.Flag == p.Key))
            .ToDictionary(p => p.Key, p => p.Value);
}

using Glassbox.Models;

namespace Glassbox.Attribution.Catalog;

/// <summary>The attribution methods Glassbox offers, by name (one entries file per family folder).</summary>
public sealed class MethodCatalog
{
    private readonly Dictionary<string, MethodEntry> _entries;

    /// <summary>A catalog of the given entries (names must be unique).</summary>
    public MethodCatalog(IEnumerable<MethodEntry> entries)
    {
        _entries = new Dictionary<string, MethodEntry>(StringComparer.OrdinalIgnoreCase);
        foreach (var e in entries)
            if (!_entries.TryAdd(e.Name, e)) throw new ArgumentException($"Method '{e.Name}' is listed twice.");
    }

    /// <summary>Every built-in method.</summary>
    public static MethodCatalog Default { get; } = new([
        .. GradientMethods.Entries, .. PropagationMethods.Entries, .. CamMethods.Entries, .. PerturbationMethods.Entries, .. ShapleyMethods.Entries]);

    /// <summary>All entries, in registration order.</summary>
    public IReadOnlyCollection<MethodEntry> Entries => _entries.Values;

    /// <summary>The entry named <paramref name="name"/>, or a clear error listing the names.</summary>
    public MethodEntry Get(string name)
        => _entries.TryGetValue(name.Trim(), out var e) ? e
            : throw new GlassboxException($"Unknown method '{name}'. Available: {string.Join(", ", _entries.Keys)}.");

    /// <summary>Throws a clear error when <paramref name="model"/> cannot run <paramref name="entry"/>.</summary>
    public static void CheckModel(MethodEntry entry, IImageModel model)
    {
        if (entry.Requirement == MethodRequirement.Gradients) ModelCapabilities.RequireGradients(model, entry.Name);
        if (entry.Requirement == MethodRequirement.Layers)
        {
            ModelCapabilities.RequireGradients(model, entry.Name);
            ModelCapabilities.RequireVisibleLayers(model, entry.Name);
        }
    }

    /// <summary>True when <paramref name="model"/> offers what <paramref name="entry"/> needs.</summary>
    public static bool CanRun(MethodEntry entry, IImageModel model) => entry.Requirement switch
    {
        MethodRequirement.Forward => true,
        MethodRequirement.Gradients => model.SupportsGradients,
        _ => model.SupportsGradients && ModelCapabilities.HasVisibleLayers(model),
    };
}

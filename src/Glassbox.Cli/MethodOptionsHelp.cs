using Glassbox.Attribution.Catalog;
using Spectre.Console;

namespace Glassbox.Cli;

/// <summary>The method options as help text, generated from the catalog's schemas (so a new option needs no CLI edit).</summary>
internal static class MethodOptionsHelp
{
    public static string Text(MethodCatalog catalog)
    {
        var flags = catalog.Entries.SelectMany(e => e.Options).Concat(MethodEntry.NoiseTunnelSchema.Fields)
            .Where(f => !MethodEntry.CommonFlags.Contains(f.Flag))
            .GroupBy(f => f.Flag).Select(g => g.Key).Order(StringComparer.Ordinal);
        return Markup.Escape("\n\nMethod options (each method reads some; 'glassbox methods NAME' lists them with defaults and ranges): "
            + string.Join(", ", flags.Select(f => "--" + f)) + ".");
    }
}

using System.Text.Json;
using Glassbox.Attribution.Catalog;

namespace Glassbox.Cli;

/// <summary>The catalog as JSON: every method with its option schema, plus the options every method shares.</summary>
internal static class MethodSchemaJson
{
    public static JsonSerializerOptions Options { get; } = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static object Of(IEnumerable<MethodEntry> entries) => new
    {
        methods = entries.Select(e => new
        {
            name = e.Name,
            family = e.Family,
            summary = e.Summary,
            requires = e.Requirement.ToString().ToLowerInvariant(),
            usesBaselineDistribution = e.UsesBaselineDistribution,
            options = e.Options,
        }),
        noiseTunnel = MethodEntry.NoiseTunnelSchema.Fields,
        common = MethodEntry.CommonFlags,
    };
}

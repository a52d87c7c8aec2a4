using System.Text.Json;
using Glassbox.Attribution.Catalog;

namespace Glassbox.App;

/// <summary>The catalog as JSON: every method with its option schema, plus the options every method shares
/// (what <c>glassbox methods --json</c> prints and the web explorer's <c>GET /api/methods</c> serves).</summary>
public static class MethodSchemaJson
{
    /// <summary>Indented camel-case JSON.</summary>
    public static JsonSerializerOptions Options { get; } = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>The schema document of <paramref name="entries"/>.</summary>
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

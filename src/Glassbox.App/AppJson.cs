using System.Text.Json;
using System.Text.Json.Serialization;

namespace Glassbox.App;

/// <summary>How the app writes and reads its JSON files (explanation.json, checks.json, metrics.json).</summary>
public static class AppJson
{
    /// <summary>Indented camelCase JSON; NaN and infinities as named literals.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}

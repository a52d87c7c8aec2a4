using System.Text.Json;
using Glassbox.Checkpoints;

namespace Glassbox.Web.Roots;

/// <summary>A model the explorer offers: its name (path under the model root) and what kind of file it is.</summary>
/// <param name="Name">Path relative to the model root, '/'-separated.</param>
/// <param name="Kind">checkpoint, generator, spec, torchscript or onnx.</param>
internal sealed record ModelListing(string Name, string Kind)
{
    /// <summary>True for a generator checkpoint (sampled with the generate job, not explained).</summary>
    public bool IsGenerator => Kind == "generator";
}

/// <summary>The models under the model root, found by what <see cref="Glassbox.Models.Sources.ModelLoader"/> can load.</summary>
internal sealed class ModelShelf(RootFolder root)
{
    private const int MaxDepth = 3;
    private const int MaxEntries = 1000;

    /// <summary>The root models are read from.</summary>
    public RootFolder Root { get; } = root;

    /// <summary>Every loadable model under the root (links that leave it are skipped), in name order.</summary>
    public IReadOnlyList<ModelListing> List()
    {
        var found = new List<ModelListing>();
        Walk(Root.Path, 0, found);
        return found.OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The listed model named <paramref name="name"/> and its full path, or a <see cref="GlassboxException"/>.</summary>
    public (ModelListing Model, string Path) Get(string name)
    {
        string full = Root.Resolve(name);
        var kind = KindOf(full);
        if (kind is null) throw new GlassboxException($"'{name}' is not a model under the model root. Pick one of GET /api/models.");
        return (new ModelListing(Root.NameOf(full), kind), full);
    }

    private void Walk(string folder, int depth, List<ModelListing> found)
    {
        IEnumerable<string> entries;
        try { entries = Directory.EnumerateFileSystemEntries(folder).Order(StringComparer.Ordinal).ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return; }
        foreach (string entry in entries)
        {
            if (found.Count >= MaxEntries) return;
            if (System.IO.Path.GetFileName(entry).StartsWith('.') || !Root.Contains(entry)) continue;
            if (KindOf(entry) is { } kind) found.Add(new ModelListing(Root.NameOf(entry), kind));
            else if (Directory.Exists(entry) && depth + 1 < MaxDepth) Walk(entry, depth + 1, found);
        }
    }

    /// <summary>What <paramref name="path"/> is as a model, or null when it is none (every file it names must stay inside the root).</summary>
    private string? KindOf(string path)
    {
        if (!Root.Contains(path)) return null;
        if (Directory.Exists(path))
        {
            string meta = System.IO.Path.Combine(path, Checkpoint.MetadataFile);
            if (!File.Exists(meta) || Directory.EnumerateFileSystemEntries(path).Any(f => !Root.Contains(f))) return null;
            return FormatOf(meta) == "glassbox-generator" ? "generator" : "checkpoint";
        }
        if (!File.Exists(path)) return null;
        return System.IO.Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".pt" or ".pth" or ".ts" => "torchscript",
            ".onnx" => "onnx",
            ".json" when System.IO.Path.GetFileName(path) != Checkpoint.MetadataFile && IsSpec(path) => "spec",
            _ => null,
        };
    }

    private static string? FormatOf(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(json));
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String
                ? f.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or IOException) { return null; }
    }

    private static bool IsSpec(string json)
    {
        if (new FileInfo(json).Length > 1 << 20) return false;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(json));
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("layers", out _);
        }
        catch (Exception e) when (e is JsonException or IOException) { return false; }
    }
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Glassbox.IO;

namespace Glassbox.Models.Sources;

/// <summary>
/// Reads the JSON keys that describe a model's input and classes, shared by Sequential specs and the sidecar files of
/// TorchScript and ONNX models: <c>"input": {"channels", "height", "width"}</c>, <c>"classes"</c> (names or a count),
/// optional <c>"normalization": {"mean": [...], "std": [...]}</c>.
/// </summary>
public static class ModelDescription
{
    /// <summary>Largest model description read, in bytes.</summary>
    public const long MaxJsonBytes = 16L * 1024 * 1024;

    /// <summary>Parses <paramref name="path"/> as a JSON object, with the line and position of a syntax error.</summary>
    public static JsonObject ReadJson(string path)
    {
        if (!File.Exists(path)) throw new GlassboxException($"Model description '{path}' does not exist.");
        string real = ContainedPath.RealPath(Path.GetFullPath(path), $"Model description '{path}'");
        if (!ContainedPath.IsRegularFile(real))
            throw new GlassboxException($"Model description '{path}' is not a regular file (a device, pipe or socket). Pass a JSON file.");
        if (new FileInfo(real).Length > MaxJsonBytes)
            throw new GlassboxException($"Model description '{path}' is larger than {MaxJsonBytes / (1024 * 1024)} MB; a model description is a few kilobytes of JSON. Pass the right file.");
        try
        {
            return StrictJson.Parse(File.ReadAllBytes(real), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true },
                    what => new GlassboxException($"'{path}' is refused: {what}. Keep one value per key."))
                ?.AsObject() ?? throw new GlassboxException($"'{path}' is empty; it must hold a JSON object.");
        }
        catch (JsonException e)
        {
            throw new GlassboxException($"'{path}' is not valid JSON (line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}): {e.Message.Split('.')[0]}.");
        }
        catch (InvalidOperationException)
        {
            throw new GlassboxException($"'{path}' must hold a JSON object.");
        }
    }

    /// <summary>The <see cref="ModelInfo"/> in <paramref name="json"/>; <paramref name="architecture"/> names the source.</summary>
    public static ModelInfo Info(JsonObject json, string architecture, string path, int? classCountFallback = null,
        (int C, int H, int W)? inputFallback = null)
    {
        int c, h, w;
        if (json["input"] is JsonObject input)
        {
            c = Int(input, "channels", path); h = Int(input, "height", path); w = Int(input, "width", path);
        }
        else if (inputFallback is { } f) (c, h, w) = f;
        else throw new GlassboxException($"'{path}' needs \"input\": {{\"channels\": C, \"height\": H, \"width\": W}}.");

        List<string> classes;
        switch (json["classes"])
        {
            case JsonArray names:
                classes = names.Select(n => n?.ToString() ?? "").ToList();
                break;
            case JsonValue v when v.TryGetValue(out int count):
                if (count > ModelInfo.MaxClasses) throw new GlassboxException($"'{path}': \"classes\" is {count}; Glassbox accepts at most {ModelInfo.MaxClasses}.");
                if (count < 2) throw new GlassboxException($"'{path}': \"classes\" must be at least 2, not {count}.");
                classes = Enumerable.Range(0, count).Select(i => i.ToString()).ToList();
                break;
            case null when classCountFallback is { } n:
                classes = Enumerable.Range(0, n).Select(i => i.ToString()).ToList();
                break;
            default:
                throw new GlassboxException($"'{path}' needs \"classes\": a list of class names or a class count.");
        }
        float[]? mean = null, std = null;
        if (json["normalization"] is JsonObject norm)
        {
            mean = Floats(norm, "mean", path);
            std = Floats(norm, "std", path);
        }
        var info = new ModelInfo(architecture, c, h, w, classes, mean, std);
        info.Validate();
        return info;
    }

    /// <summary>A required positive integer field.</summary>
    public static int Int(JsonObject o, string key, string path)
    {
        if (o[key] is JsonValue v && v.TryGetValue(out int x) && x > 0) return x;
        throw new GlassboxException($"'{path}': \"{key}\" must be a positive integer.");
    }

    private static float[] Floats(JsonObject o, string key, string path)
    {
        if (o[key] is not JsonArray a) throw new GlassboxException($"'{path}': normalization needs \"{key}\": a list of numbers per channel.");
        try
        {
            return a.Select(n => n!.GetValue<float>()).ToArray();
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or NullReferenceException)
        {
            throw new GlassboxException($"'{path}': normalization \"{key}\" must hold numbers only.");
        }
    }
}

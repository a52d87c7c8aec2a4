using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Glassbox.IO;

/// <summary>
/// Parses JSON that a file claims to be, refusing what System.Text.Json accepts silently: a key repeated in one
/// object (the last one would win, so two readers of the file could disagree) and bytes that are not UTF-8.
/// </summary>
internal static class StrictJson
{
    /// <summary>
    /// Parses <paramref name="utf8"/>; <paramref name="fail"/> turns a description of the problem (e.g.
    /// <c>key "a" appears twice in layers[2]</c>) into the exception to throw. Syntax errors stay <see cref="JsonException"/>s.
    /// </summary>
    public static JsonNode? Parse(ReadOnlySpan<byte> utf8, JsonDocumentOptions options, Func<string, Exception> fail)
    {
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetCharCount(utf8);
        }
        catch (DecoderFallbackException)
        {
            throw fail("it is not valid UTF-8 text");
        }
        if (FindDuplicate(utf8, options) is { } duplicate) throw fail(duplicate);
        return JsonNode.Parse(utf8, documentOptions: options);
    }

    /// <summary>Parses <paramref name="text"/> like <see cref="Parse(ReadOnlySpan{byte}, JsonDocumentOptions, Func{string, Exception})"/>.</summary>
    public static JsonNode? Parse(string text, JsonDocumentOptions options, Func<string, Exception> fail)
        => Parse(Encoding.UTF8.GetBytes(text), options, fail);

    /// <summary>A description of the first key repeated within one object, or null; syntax errors throw <see cref="JsonException"/>.</summary>
    public static string? FindDuplicate(ReadOnlySpan<byte> utf8, JsonDocumentOptions options)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            CommentHandling = options.CommentHandling,
            AllowTrailingCommas = options.AllowTrailingCommas,
            MaxDepth = options.MaxDepth,
        });
        var scopes = new Stack<(HashSet<string>? Keys, string Path, int Index)>();
        string? pendingName = null;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    string path = ChildPath(scopes, pendingName);
                    scopes.Push((reader.TokenType == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.Ordinal) : null, path, 0));
                    pendingName = null;
                    break;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    scopes.Pop();
                    Advance(scopes);
                    break;
                case JsonTokenType.PropertyName:
                    string name = reader.GetString()!;
                    var top = scopes.Peek();
                    if (!top.Keys!.Add(name))
                        return $"key \"{name}\" appears twice in {(top.Path.Length == 0 ? "the top-level object" : top.Path)}";
                    pendingName = name;
                    break;
                default:
                    pendingName = null;
                    Advance(scopes);
                    break;
            }
        }
        return null;
    }

    private static string ChildPath(Stack<(HashSet<string>? Keys, string Path, int Index)> scopes, string? name)
    {
        if (scopes.Count == 0) return "";
        var top = scopes.Peek();
        if (top.Keys is null) return $"{top.Path}[{top.Index}]";
        return top.Path.Length == 0 ? name ?? "" : $"{top.Path}.{name}";
    }

    private static void Advance(Stack<(HashSet<string>? Keys, string Path, int Index)> scopes)
    {
        if (scopes.Count > 0 && scopes.Peek().Keys is null)
        {
            var (k, p, i) = scopes.Pop();
            scopes.Push((k, p, i + 1));
        }
    }
}

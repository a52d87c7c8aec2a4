using System.Collections;
using System.Reflection;
using Glassbox.Attribution;
using Glassbox.Attribution.FeatureMasks;
using static TorchSharp.torch;

namespace Glassbox.App;

/// <summary>
/// Turns a method's options record into plain JSON-ready values: numbers, strings and enums as they are, baselines and
/// feature masks by their description, tensors by their shape, nested records recursively.
/// </summary>
internal static class SettingsDescriber
{
    /// <summary>A dictionary of the public properties of <paramref name="settings"/> (or the value itself when it is simple).</summary>
    public static object? Describe(object? settings) => Value(settings, 0);

    private static object? Value(object? v, int depth)
    {
        switch (v)
        {
            case null: return null;
            case string or bool or int or long or float or double or decimal: return v;
            case Enum e: return e.ToString();
            case Baseline b: return b.Describe();
            case MaskSource m: return m.Describe();
            case Tensor t: return $"tensor {string.Join("×", t.shape)}";
            case Delegate: return "function";
        }
        if (depth > 4) return v.ToString();
        if (v is IEnumerable list)
            return list.Cast<object?>().Take(64).Select(x => Value(x, depth + 1)).ToList();
        var props = v.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && p.Name != "EqualityContract");
        var dict = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in props) dict[p.Name] = Value(p.GetValue(v), depth + 1);
        return dict;
    }
}

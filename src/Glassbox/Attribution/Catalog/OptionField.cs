using System.Reflection;

namespace Glassbox.Attribution.Catalog;

/// <summary>One option of a method: its flag, reference name, value kind, default, range and help (what `glassbox methods --json` emits).</summary>
/// <param name="Flag">Kebab-case flag without dashes.</param>
/// <param name="Property">The options-record property it sets.</param>
/// <param name="Reference">Captum/SHAP parameter name, or null.</param>
/// <param name="Kind">Value kind: integer, number, boolean, text, choice, integer-list, baselines, feature-mask.</param>
/// <param name="Default">The default as text ("50", "zeros", ...), or null when there is none.</param>
/// <param name="Min">Smallest allowed value, or null.</param>
/// <param name="Max">Largest allowed value, or null.</param>
/// <param name="Choices">Allowed values of a choice, or null.</param>
/// <param name="Help">One line of help.</param>
public sealed record OptionField(
    string Flag, string Property, string? Reference, string Kind, string? Default, double? Min, double? Max,
    IReadOnlyList<string>? Choices, string Help)
{
    /// <summary>The flag as typed on the command line (<c>--n-steps</c>).</summary>
    public string CommandLine => "--" + Flag;

    internal static OptionField From(PropertyInfo property, OptionAttribute a, object? defaultValue)
    {
        var type = OptionValues.Get(a.TextOf ?? property.PropertyType);
        return new OptionField(a.Flag, property.Name, a.Reference, type.Kind,
            a.Default ?? (defaultValue is null ? null : type.Format(defaultValue)),
            double.IsNaN(a.Min) ? null : a.Min, double.IsNaN(a.Max) ? null : a.Max, type.Choices, a.Help);
    }
}

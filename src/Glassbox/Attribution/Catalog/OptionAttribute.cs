namespace Glassbox.Attribution.Catalog;

/// <summary>
/// Marks an options-record property as a user-facing option: its flag (<c>--n-steps</c> without the dashes), the name
/// the reference library uses (Captum's <c>n_steps</c>), its range and a one-line help. The record's constructor
/// default is the option's default; <see cref="Default"/> only describes a default that a null stands for.
/// </summary>
/// <param name="flag">Kebab-case flag without dashes, e.g. "n-steps".</param>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class OptionAttribute(string flag) : Attribute
{
    /// <summary>Kebab-case flag without dashes.</summary>
    public string Flag { get; } = flag;

    /// <summary>The parameter's name in Captum or SHAP (e.g. "n_steps"), or null.</summary>
    public string? Reference { get; init; }

    /// <summary>One line: what the option does.</summary>
    public string Help { get; init; } = "";

    /// <summary>Smallest allowed numeric value (NaN: no bound).</summary>
    public double Min { get; init; } = double.NaN;

    /// <summary>Largest allowed numeric value (NaN: no bound).</summary>
    public double Max { get; init; } = double.NaN;

    /// <summary>
    /// For a text property whose value names something (an LRP composite, a SHAP masker): the type whose text form
    /// <see cref="OptionValues"/> checks it against at binding time, so a typo fails before any work.
    /// </summary>
    public Type? TextOf { get; init; }

    /// <summary>What a null default means, e.g. "zeros" or "2·features + 2048"; null to print the constructor default.</summary>
    public string? Default { get; init; }
}

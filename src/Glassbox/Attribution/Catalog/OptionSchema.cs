using System.Reflection;

namespace Glassbox.Attribution.Catalog;

/// <summary>
/// The options of one options record, read from its <see cref="OptionAttribute"/>s, and the binding of
/// <c>flag → text</c> to a record: flags given set their properties, every other property keeps the record's
/// constructor default. An unknown flag is an error that lists the flags the record has.
/// </summary>
public sealed class OptionSchema
{
    private readonly ConstructorInfo _constructor;
    private readonly ParameterInfo[] _parameters;
    private readonly PropertyInfo?[] _properties;
    private readonly OptionAttribute?[] _options;

    /// <summary>Reads the schema of <paramref name="recordType"/> (a record whose primary constructor has a default for every parameter).</summary>
    public OptionSchema(Type recordType)
    {
        RecordType = recordType;
        _constructor = recordType.GetConstructors()
            .Where(c => c.GetParameters().All(p => p.HasDefaultValue))
            .OrderByDescending(c => c.GetParameters().Length)
            .FirstOrDefault() ?? throw new InvalidOperationException($"{recordType.Name} needs a constructor with a default for every parameter.");
        _parameters = _constructor.GetParameters();
        _properties = _parameters.Select(p => recordType.GetProperty(p.Name!, BindingFlags.Public | BindingFlags.Instance)).ToArray();
        _options = _properties.Select(p => p?.GetCustomAttribute<OptionAttribute>()).ToArray();
        var fields = new List<OptionField>();
        for (int i = 0; i < _parameters.Length; i++)
            if (_options[i] is { } a) fields.Add(OptionField.From(_properties[i]!, a, _parameters[i].DefaultValue));
        var duplicate = fields.GroupBy(f => f.Flag).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"{recordType.Name} declares --{duplicate.Key} twice.");
        Fields = fields;
    }

    /// <summary>The options record type.</summary>
    public Type RecordType { get; }

    /// <summary>The user-facing options, in constructor order.</summary>
    public IReadOnlyList<OptionField> Fields { get; }

    /// <summary>True when the record has an option with this flag.</summary>
    public bool Has(string flag) => Fields.Any(f => f.Flag == flag);

    /// <summary>The record with the given flags set (text parsed by <see cref="OptionValues"/>) and every other property at its default.</summary>
    /// <param name="text">Flag (without dashes) → text; flags the record does not have are ignored here (the caller checks them).</param>
    /// <param name="context">Model shape and device for values that need them.</param>
    public object Bind(IReadOnlyDictionary<string, string> text, OptionContext context)
    {
        var args = new object?[_parameters.Length];
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            args[i] = _options[i] is { } a && text.TryGetValue(a.Flag, out var t)
                ? OptionValues.Parse(p.ParameterType, t, a, context)
                : p.DefaultValue;
        }
        return _constructor.Invoke(args);
    }

    /// <summary>The record's defaults.</summary>
    public object Defaults() => _constructor.Invoke(_parameters.Select(p => p.DefaultValue).ToArray());
}

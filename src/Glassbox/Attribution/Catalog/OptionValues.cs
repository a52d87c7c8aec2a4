using System.Collections.Frozen;
using System.Globalization;
using Glassbox.Attribution.Approximation;
using Glassbox.Attribution.Cam;
using Glassbox.Attribution.Gradient;
using Glassbox.Attribution.Maskers;
using Glassbox.Attribution.Propagation;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Attribution.Shapley;
using Glassbox.IO;
using TorchSharp;

namespace Glassbox.Attribution.Catalog;

/// <summary>One kind of option value: its name in the schema, its allowed choices, and how it is parsed from and written as text.</summary>
/// <param name="Kind">integer, number, boolean, text, choice, integer-list, baselines or feature-mask.</param>
/// <param name="Choices">Allowed values of a choice, else null.</param>
/// <param name="Parse">Text → value; throws a <see cref="GlassboxException"/> naming the flag.</param>
/// <param name="Format">Value → text, for defaults in the schema and settings in reports.</param>
public sealed record OptionValueType(
    string Kind, IReadOnlyList<string>? Choices, Func<string, string, OptionContext, object> Parse, Func<object, string> Format);

/// <summary>The text forms of every option value type, in one place (the command line, the web app and JSON settings share them).</summary>
public static class OptionValues
{
    private static readonly FrozenDictionary<Type, OptionValueType> Types = new Dictionary<Type, OptionValueType>
    {
        [typeof(int)] = new("integer", null, (t, f, _) => ParseInt(t, f), v => ((int)v).ToString(CultureInfo.InvariantCulture)),
        [typeof(double)] = new("number", null, (t, f, _) => ParseDouble(t, f), v => ((double)v).ToString("R", CultureInfo.InvariantCulture)),
        [typeof(bool)] = new("boolean", null, (t, f, _) => ParseBool(t, f), v => (bool)v ? "true" : "false"),
        [typeof(string)] = new("text", null, (t, _, _) => t.Trim(), v => (string)v),
        [typeof(int[])] = new("integer-list", null, (t, f, _) => ParseIntList(t, f), v => string.Join(",", (int[])v)),
        [typeof(Baseline)] = new("baselines", null, (t, f, c) => ParseBaselines(t, c), v => ((Baseline)v).Describe()),
        [typeof(MaskSource)] = new("feature-mask", null, (t, f, c) => ParseFeatureMask(t, c), v => ((MaskSource)v).Describe()),
        [typeof(OutputSpace)] = Choice<OutputSpace>(["logits", "probabilities"]),
        [typeof(IntegrationMethod)] = Choice(IntegrationMethods.Names, (t, _) => IntegrationMethods.Parse(t)),
        [typeof(CamInterpolation)] = Choice<CamInterpolation>(["nearest", "bilinear"], (t, _) => CamLayers.ParseInterpolation(t)),
        [typeof(NoiseTunnelType)] = Choice(NoiseTunnel.TypeNames, (t, _) => NoiseTunnel.ParseType(t)),
        [typeof(LrpComposite)] = new("choice", LrpComposite.Names, (t, _, _) => LrpComposite.Parse(t) is not null ? t.Trim().ToLowerInvariant() : t, v => (string)v),
        [typeof(L1Regularization)] = new("l1-reg", null, (t, _, _) => L1Regularization.Parse(t), v => v.ToString()!),
        [typeof(ImageMasker)] = new("masker", null, (t, _, _) => ImageMasker.Parse(t) is not null ? t.Trim() : t, v => (string)v),
        [typeof(FeatureSpread)] = Choice<FeatureSpread>(["split", "repeat"]),
        [typeof(MaxPoolRule)] = Choice<MaxPoolRule>(["shap", "captum"]),
    }.ToFrozenDictionary();

    /// <summary>The value type of a property type (nullable types use their underlying type).</summary>
    public static OptionValueType Get(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (Types.TryGetValue(t, out var v)) return v;
        foreach (var (k, value) in Types)
            if (k.IsAssignableFrom(t)) return value;
        throw new InvalidOperationException($"Options of type {t.Name} have no text form; add one to {nameof(OptionValues)}.");
    }

    /// <summary>Parses <paramref name="text"/> for an option of <paramref name="type"/>, checking the attribute's range.</summary>
    public static object Parse(Type type, string text, OptionAttribute option, OptionContext context)
    {
        var value = Get(option.TextOf ?? type).Parse(text, "--" + option.Flag, context);
        double? number = value switch { int i => i, double d => d, _ => null };
        if (number is double x)
        {
            if (!double.IsNaN(option.Min) && x < option.Min)
                throw new GlassboxException($"--{option.Flag} must be at least {Format(option.Min)}, not {text.Trim()}.");
            if (!double.IsNaN(option.Max) && x > option.Max)
                throw new GlassboxException($"--{option.Flag} must be at most {Format(option.Max)}, not {text.Trim()}.");
        }
        if (value is int[] list && !double.IsNaN(option.Min) && list.Any(v => v < option.Min))
            throw new GlassboxException($"--{option.Flag} needs values of at least {Format(option.Min)}, not {text.Trim()}.");
        return value;
    }

    /// <summary>Text of an option value (as the schema and settings print it).</summary>
    public static string Format(object? value) => value switch
    {
        null => "null",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        _ => Get(value.GetType()).Format(value),
    };

    /// <summary>
    /// <c>zeros</c>, <c>constant:V</c>, <c>blur</c> / <c>blur:SIGMA</c>, or a .npy of baseline images (B×C×H×W, C×H×W,
    /// B×H×W or H×W for one channel; float in [0,1] or uint8).
    /// </summary>
    public static Baseline ParseBaselines(string spec, OptionContext context)
    {
        string s = spec.Trim();
        if (s.Equals("zeros", StringComparison.OrdinalIgnoreCase) || s == "0") return Baseline.Zeros;
        if (s.StartsWith("constant:", StringComparison.OrdinalIgnoreCase))
            return Baseline.Constant((float)ParseDouble(s["constant:".Length..], "--baselines constant:V"));
        if (s.Equals("blur", StringComparison.OrdinalIgnoreCase)) return Baseline.Blur();
        if (s.StartsWith("blur:", StringComparison.OrdinalIgnoreCase))
        {
            double sigma = ParseDouble(s["blur:".Length..], "--baselines blur:SIGMA");
            if (!(sigma > 0)) throw new GlassboxException($"--baselines blur:SIGMA needs a positive sigma, not {sigma}.");
            return Baseline.Blur(sigma);
        }
        if (s.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(s)) throw new GlassboxException($"Baseline file '{s}' does not exist.");
            var info = context.Info;
            var (px, count, _) = Data.InputImages.Load(s, info);
            return Baseline.FromImages(torch.tensor(px, [count, info.Channels, info.Height, info.Width], device: context.Device));
        }
        throw new GlassboxException($"--baselines must be zeros, constant:V, blur, blur:SIGMA or a .npy file of images, not '{spec}'.");
    }

    /// <summary><c>grid:N</c> (N×N-pixel patches), <c>slic:N[,COMPACTNESS]</c> (N superpixels per image) or a .npy of integer feature ids in any shape Captum accepts (H×W, 1×H×W, C×H×W, 1×1×H×W, 1×C×H×W).</summary>
    public static MaskSource ParseFeatureMask(string spec, OptionContext context)
    {
        string s = spec.Trim();
        if (s.StartsWith("grid:", StringComparison.OrdinalIgnoreCase))
        {
            int patch = ParseInt(s["grid:".Length..], "--feature-mask grid:N");
            if (patch < 1) throw new GlassboxException($"--feature-mask grid:N needs N ≥ 1, not {patch}.");
            return MaskSource.Grid(patch);
        }
        if (s.StartsWith("slic:", StringComparison.OrdinalIgnoreCase))
        {
            var parts = s["slic:".Length..].Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length > 2) throw new GlassboxException($"--feature-mask slic takes slic:SEGMENTS or slic:SEGMENTS,COMPACTNESS, not '{spec}'.");
            int segments = ParseInt(parts[0], "--feature-mask slic:SEGMENTS");
            if (segments < 1) throw new GlassboxException($"--feature-mask slic:SEGMENTS needs at least 1 segment, not {segments}.");
            double compactness = parts.Length == 2 ? ParseDouble(parts[1], "--feature-mask slic:SEGMENTS,COMPACTNESS") : 10;
            if (!(compactness > 0)) throw new GlassboxException($"SLIC compactness must be positive, not {compactness}.");
            return new SlicMask(segments, compactness);
        }
        if (s.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(s)) throw new GlassboxException($"Feature mask file '{s}' does not exist.");
            var raw = NpyFile.Read(s);
            var info = context.Info;
            try
            {
                return MaskSource.Shared(FeatureMask.FromIds(raw.Data, raw.Shape, info.Channels, info.Height, info.Width));
            }
            catch (GlassboxException e)
            {
                throw new GlassboxException($"Feature mask '{s}': {e.Message}");
            }
        }
        throw new GlassboxException($"--feature-mask must be grid:N, slic:N[,COMPACTNESS] or a .npy of feature ids, not '{spec}'.");
    }

    /// <summary>A comma-separated list of integers (e.g. <c>1,4,4</c>).</summary>
    public static int[] ParseIntList(string spec, string option)
    {
        var parts = spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new GlassboxException($"{option} needs a list of integers like 1,4,4.");
        return parts.Select(p => ParseInt(p, option)).ToArray();
    }

    // A choice: its names in enum order; parsed by the type's own parser when it has one (the function its library
    // users call), else by name.
    private static OptionValueType Choice<T>(IReadOnlyList<string> names, Func<string, string, T>? parse = null) where T : struct, Enum
    {
        var values = Enum.GetValues<T>();
        if (values.Length != names.Count) throw new InvalidOperationException($"{typeof(T).Name}: {names.Count} names for {values.Length} values.");
        parse ??= (text, flag) =>
        {
            int i = Array.IndexOf([.. names], text.Trim().ToLowerInvariant().Replace('-', '_'));
            return i >= 0 ? values[i] : throw new GlassboxException($"{flag} must be one of {string.Join(", ", names)}, not '{text}'.");
        };
        return new OptionValueType("choice", names, (text, flag, _) => parse(text, flag), v => names[Array.IndexOf(values, (T)v)]);
    }

    private static int ParseInt(string text, string option)
        => int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
            : throw new GlassboxException($"{option}: '{text}' is not an integer between {int.MinValue} and {int.MaxValue}.");

    private static double ParseDouble(string text, string option)
        => double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v
            : throw new GlassboxException($"{option}: '{text}' is not a finite number.");

    private static bool ParseBool(string text, string option) => text.Trim().ToLowerInvariant() switch
    {
        "true" or "yes" or "1" => true,
        "false" or "no" or "0" => false,
        _ => throw new GlassboxException($"{option}: '{text}' is not true or false."),
    };

    private static string Format(double v) => v.ToString("G", CultureInfo.InvariantCulture);
}

using System.Globalization;

namespace Glassbox.Visualization;

/// <summary>Formats numbers compactly and culture-independently for labels, with a true minus sign.</summary>
internal static class NumberFormat
{
    /// <summary>About three significant digits; scientific notation for very small or large magnitudes.</summary>
    public static string Compact(double value)
    {
        if (value == 0) return "0";
        if (!double.IsFinite(value)) return value.ToString(CultureInfo.InvariantCulture);
        double abs = Math.Abs(value);
        string format = abs switch
        {
            >= 1e5 or < 1e-3 => "0.##e+0",
            >= 1000 => "0",
            >= 100 => "0.#",
            >= 1 => "0.##",
            _ => "G3",
        };
        return value.ToString(format, CultureInfo.InvariantCulture).Replace('-', '\u2212');
    }

    /// <summary>Like <see cref="Compact"/> but always with a sign (+0.12, −0.05).</summary>
    public static string Signed(double value) => value > 0 ? "+" + Compact(value) : Compact(value);

    /// <summary>Plain invariant number for machine-readable places (SVG coordinates, data attributes).</summary>
    public static string Invariant(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}

using System.Globalization;

namespace Glassbox.Visualization;

/// <summary>
/// Formats numbers culture-independently: compact labels with a true minus sign for figures, and one scientific style
/// (<c>1.26e-5</c>, never .NET's <c>1.26E-005</c>) for terminal output, reports and logs.
/// </summary>
public static class NumberFormat
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

    /// <summary>
    /// Scientific notation with <paramref name="decimals"/> digits after the point and a short exponent, as C's and
    /// Python's <c>%.2e</c> without the padding: <c>1.26e-5</c>, <c>-3.40e+2</c>, <c>0.00e+0</c>; NaN and infinities as words.
    /// </summary>
    public static string Scientific(double value, int decimals = 2)
    {
        if (double.IsNaN(value)) return "NaN";
        if (double.IsInfinity(value)) return value > 0 ? "inf" : "-inf";
        string s = value.ToString("E" + Math.Clamp(decimals, 0, 15).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        int e = s.IndexOf('E');
        int exponent = int.Parse(s.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return s[..e] + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The shortest text that reads back as <paramref name="value"/>, plain when .NET writes it plainly and in the short
    /// scientific style otherwise: <c>0.5</c>, <c>1000000</c>, <c>1e-12</c> (not <c>1E-12</c>).
    /// </summary>
    public static string Shortest(double value)
    {
        string s = value.ToString("R", CultureInfo.InvariantCulture);
        int e = s.IndexOf('E');
        if (e < 0) return s;
        int exponent = int.Parse(s.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return s[..e] + "e" + (exponent < 0 ? "-" : "+") + Math.Abs(exponent).ToString(CultureInfo.InvariantCulture);
    }
}

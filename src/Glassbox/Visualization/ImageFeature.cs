namespace Glassbox.Visualization;

/// <summary>
/// A group of pixels treated as one feature, with the sum of its attributions. Coordinates are zero-based and
/// inclusive; <see cref="Pixels"/> holds indices y·W + x into the H×W map.
/// </summary>
/// <param name="Id">Position of the feature in the grouping's output.</param>
/// <param name="Label">Human-readable location, e.g. "rows 8–11, cols 12–15".</param>
/// <param name="Value">Sum of the attributions of its pixels over all channels.</param>
/// <param name="Top">First row.</param>
/// <param name="Left">First column.</param>
/// <param name="Bottom">Last row.</param>
/// <param name="Right">Last column.</param>
/// <param name="Pixels">Indices y·W + x of its pixels.</param>
public sealed record ImageFeature(int Id, string Label, double Value, int Top, int Left, int Bottom, int Right, int[] Pixels)
{
    /// <summary>True when the feature covers its whole bounding box (e.g. a square patch).</summary>
    public bool IsRectangle => Pixels.Length == (Bottom - Top + 1) * (Right - Left + 1);

    /// <summary>"rows a–b, cols c–d" for a zero-based inclusive box.</summary>
    public static string Location(int top, int left, int bottom, int right)
        => $"{Span("row", top, bottom)}, {Span("col", left, right)}";

    private static string Span(string name, int a, int b) => a == b ? $"{name} {a}" : $"{name}s {a}\u2013{b}";
}

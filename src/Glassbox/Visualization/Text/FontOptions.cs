namespace Glassbox.Visualization.Text;

/// <summary>Which font the renderers use for labels.</summary>
/// <param name="FontFile">A .ttf/.otf file to use; null finds a sans-serif system font.</param>
/// <param name="UseBuiltInFont">Always use the built-in bitmap font (it is also the fallback when no font file is found).</param>
public sealed record FontOptions(string? FontFile = null, bool UseBuiltInFont = false);

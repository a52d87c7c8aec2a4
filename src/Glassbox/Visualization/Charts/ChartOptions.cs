using Glassbox.Visualization.Text;

namespace Glassbox.Visualization.Charts;

/// <summary>Common chart settings.</summary>
/// <param name="Title">Chart title.</param>
/// <param name="Width">Image width in pixels.</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="Font">Font file choice (charts need a font file; the built-in bitmap font is not used by ScottPlot).</param>
public sealed record ChartOptions(string Title, int Width = 820, int Height = 500, FontOptions? Font = null)
{
    /// <summary>Throws when the size is too small to be readable.</summary>
    internal void Validate()
    {
        if (Width < 200 || Height < 150 || Width > 10000 || Height > 10000)
            throw new GlassboxException($"Chart size {Width}×{Height} px is outside 200×150 … 10000×10000; choose a readable size.");
    }

    /// <summary>The font options, defaulting to a system sans-serif font.</summary>
    internal FontOptions FontOrDefault => Font ?? new FontOptions();
}

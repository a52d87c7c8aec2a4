namespace Glassbox.Visualization;

/// <summary>Options of <see cref="ForcePlot"/>.</summary>
public sealed record ForcePlotOptions
{
    /// <summary>How pixels are grouped into features (default: 4×4 patches).</summary>
    public FeatureGroupingOptions Grouping { get; init; } = new();

    /// <summary>How many of the largest features get a label under the bar.</summary>
    public int MaxLabels { get; init; } = 5;

    /// <summary>Features beyond this many (by |value|) are merged into one "other" block per sign.</summary>
    public int MaxBlocks { get; init; } = 60;

    /// <summary>Width of the force bar drawing in pixels.</summary>
    public int Width { get; init; } = 960;

    /// <summary>Displayed size of the longer image side in the HTML page, in CSS pixels.</summary>
    public int ImageDisplaySize { get; init; } = 280;

    /// <summary>A residual |output − base − Σ values| above this × max(1, |output|) is shown as an "unexplained" item.</summary>
    public double ResidualTolerance { get; init; } = 1e-3;
}

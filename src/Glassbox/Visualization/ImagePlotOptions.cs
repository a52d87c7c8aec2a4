using Glassbox.Visualization.Text;
using SkiaSharp;

namespace Glassbox.Visualization;

/// <summary>Layout and style of <see cref="ImagePlot"/>; all sizes in pixels.</summary>
public sealed record ImagePlotOptions
{
    /// <summary>Largest panel side the automatic pixel scale may reach (28×28 → 5× → 140 px).</summary>
    public int TargetPanelSize { get; init; } = 140;

    /// <summary>Integer upscaling of image pixels (nearest neighbour); null picks the largest that fits <see cref="TargetPanelSize"/>.</summary>
    public int? PixelScale { get; init; }

    /// <summary>White space around the whole figure.</summary>
    public int Margin { get; init; } = 16;

    /// <summary>Horizontal space between panels.</summary>
    public int PanelGap { get; init; } = 10;

    /// <summary>Vertical space between rows.</summary>
    public int RowGap { get; init; } = 10;

    /// <summary>Height of the title band above each row of panels.</summary>
    public int TitleHeight { get; init; } = 26;

    /// <summary>Font size of panel titles.</summary>
    public float TitleFontSize { get; init; } = 13;

    /// <summary>Width of the column right of the panels that states each row's scale (used when rows have their own scales).</summary>
    public int ScaleColumnWidth { get; init; } = 96;

    /// <summary>Height of the band at the bottom holding the colorbar and its labels.</summary>
    public int ColorbarAreaHeight { get; init; } = 72;

    /// <summary>Label under the colorbar.</summary>
    public string ColorbarLabel { get; init; } = "SHAP value";

    /// <summary>Use one scale for all rows instead of one per row.</summary>
    public bool SharedScale { get; init; }

    /// <summary>Percentile of |value| that sets vmax (SHAP uses 99.9 so one outlier cannot wash out the rest).</summary>
    public double ScalePercentile { get; init; } = RobustScale.DefaultPercentile;

    /// <summary>Opacity of the grayscale input drawn under the attributions (SHAP: 0.15).</summary>
    public double UnderlayOpacity { get; init; } = 0.15;

    /// <summary>Figure background.</summary>
    public SKColor Background { get; init; } = SKColors.White;

    /// <summary>Font for titles and labels.</summary>
    public FontOptions Font { get; init; } = new();
}

using Glassbox.IO;

namespace Glassbox.Visualization;

/// <summary>
/// SHAP-style force plot for one input and one class: pixel groups push the output from the base value up (red)
/// or down (blue) to f(x). Any part of f(x) − base the attributions miss is shown as an explicit residual item.
/// </summary>
public static class ForcePlot
{
    /// <summary>Groups and arranges the features without drawing them.</summary>
    public static ForceLayout Layout(ForcePlotData data, ForcePlotOptions? options = null)
        => ForceLayout.Build(data, options ?? new ForcePlotOptions());

    /// <summary>A static SVG document of the force bar with its title.</summary>
    public static string ToSvg(ForcePlotData data, ForcePlotOptions? options = null)
    {
        options ??= new ForcePlotOptions();
        return ForceBarSvg.Build(ForceLayout.Build(data, options), data, options, standalone: true);
    }

    /// <summary>
    /// A self-contained HTML page (inline CSS, script and SVG; the image as a data: URI; no network access):
    /// the input image next to the force bar, where hovering a block highlights its pixels and shows its value.
    /// </summary>
    public static string ToHtml(ForcePlotData data, ForcePlotOptions? options = null)
    {
        options ??= new ForcePlotOptions();
        var layout = ForceLayout.Build(data, options);
        return ForcePage.Build(data, options, layout, ForceBarSvg.Build(layout, data, options, standalone: false));
    }

    /// <summary>Writes <see cref="ToSvg"/> to <paramref name="path"/> atomically.</summary>
    public static void SaveSvg(string path, ForcePlotData data, ForcePlotOptions? options = null)
        => AtomicFile.WriteAllText(path, ToSvg(data, options));

    /// <summary>Writes <see cref="ToHtml"/> to <paramref name="path"/> atomically.</summary>
    public static void SaveHtml(string path, ForcePlotData data, ForcePlotOptions? options = null)
        => AtomicFile.WriteAllText(path, ToHtml(data, options));

    /// <summary>"class: f(x) = … (output name), base value …".</summary>
    public static string Title(ForcePlotData data)
        => $"{data.ClassName}: f(x) = {NumberFormat.Compact(data.OutputValue)} ({data.OutputName}), base value {NumberFormat.Compact(data.BaseValue)}";
}

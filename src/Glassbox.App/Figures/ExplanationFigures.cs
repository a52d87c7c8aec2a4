using Glassbox.Attribution;
using Glassbox.Visualization;

namespace Glassbox.App;

/// <summary>Turns an <see cref="Explanation"/> that carries its inputs into the SHAP-style image plot and force plots.</summary>
public static class ExplanationFigures
{
    /// <summary>"SHAP value (logit)" for DeepSHAP, "attribution (probability)" etc. for other methods.</summary>
    public static string ColorbarLabel(string method, Explanation e)
    {
        string space = e.Output == OutputSpace.Logits ? "logit" : "probability";
        return method == "deep-shap" ? $"SHAP value ({space})" : $"attribution ({space})";
    }

    /// <summary>
    /// Writes the image plot (rows = inputs, panels = explained classes, or the top-k by probability when
    /// <paramref name="topK"/> &gt; 0) to <paramref name="path"/>.
    /// </summary>
    public static void WriteImagePlot(string path, Explanation e, float[] probabilities, IReadOnlyList<string> rowNames, int topK, string colorbarLabel)
        => ImagePlot.Save(path, ImagePlot.From(e, probabilities, topK, rowNames), new ImagePlotOptions { ColorbarLabel = colorbarLabel });

    /// <summary>Writes the force plot (HTML and SVG) of input <paramref name="index"/> for its explained class in <paramref name="slot"/>.</summary>
    public static void WriteForcePlot(string htmlPath, string svgPath, Explanation e, int index, int slot)
    {
        var pixels = e.Inputs ?? throw new GlassboxException($"The {e.Method} explanation carries no inputs to draw.");
        int d = e.MapSize, k = e.TargetsPerInput, cls = e.Targets[index * k + slot];
        var data = new ForcePlotData(pixels.AsSpan(index * d, d).ToArray(), e.Map(index, slot).ToArray(), e.Shape[2], e.Shape[3], e.Shape[4],
            e.BaseValues[index * k + slot], e.Outputs[index * k + slot], e.ClassName(cls),
            e.Output == OutputSpace.Logits ? "logit" : "probability");
        ForcePlot.SaveHtml(htmlPath, data);
        ForcePlot.SaveSvg(svgPath, data);
    }
}

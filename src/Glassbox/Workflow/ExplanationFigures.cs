using System.Globalization;
using Glassbox.Attribution;
using Glassbox.Models;
using Glassbox.Visualization;

namespace Glassbox.Workflow;

/// <summary>Turns an <see cref="Explanation"/> into the SHAP-style image plot and force plots.</summary>
public static class ExplanationFigures
{
    /// <summary>
    /// Writes the image plot (rows = inputs, panels = explained classes, or the top-k by probability when
    /// <paramref name="topK"/> &gt; 0) to <paramref name="path"/>.
    /// </summary>
    public static void WriteImagePlot(string path, float[] pixels, Explanation e, float[] probs, ModelInfo info, string[] rowNames, int topK, string? colorbarLabel = null)
    {
        int n = e.Count, k = e.TargetsPerInput, d = e.MapSize, classes = info.Classes;
        var slots = new int[n][];
        for (int i = 0; i < n; i++)
        {
            var order = Enumerable.Range(0, k).OrderByDescending(s => probs[i * classes + e.Targets[i * k + s]]).ToArray();
            slots[i] = topK > 0 ? order.Take(Math.Min(topK, k)).ToArray() : Enumerable.Range(0, k).ToArray();
        }
        int panels = slots[0].Length;
        var values = new float[(long)n * panels * d];
        var titles = new string[n][];
        for (int i = 0; i < n; i++)
        {
            titles[i] = new string[panels];
            for (int p = 0; p < panels; p++)
            {
                int slot = slots[i][p], cls = e.Targets[i * k + slot];
                e.Map(i, slot).CopyTo(values.AsSpan((i * panels + p) * d, d));
                titles[i][p] = $"{info.ClassNames[cls]} (p={probs[i * classes + cls].ToString("F2", CultureInfo.InvariantCulture)})";
            }
        }
        var data = new ImagePlotData(pixels, values, n, panels, info.Channels, info.Height, info.Width, titles, rowNames);
        ImagePlot.Save(path, data, new ImagePlotOptions { ColorbarLabel = colorbarLabel ?? (e.Output == OutputSpace.Logits ? "SHAP value (logit)" : "SHAP value (probability)") });
    }

    /// <summary>Writes the force plot (HTML and SVG) of input <paramref name="index"/> for its explained class in <paramref name="slot"/>.</summary>
    public static void WriteForcePlot(string htmlPath, string svgPath, float[] pixels, Explanation e, ModelInfo info, int index, int slot)
    {
        int d = e.MapSize, k = e.TargetsPerInput, cls = e.Targets[index * k + slot];
        var data = new ForcePlotData(pixels.AsSpan(index * d, d).ToArray(), e.Map(index, slot).ToArray(), info.Channels, info.Height, info.Width,
            e.BaseValues[index * k + slot], e.Outputs[index * k + slot], info.ClassNames[cls],
            e.Output == OutputSpace.Logits ? "logit" : "probability");
        ForcePlot.SaveHtml(htmlPath, data);
        ForcePlot.SaveSvg(svgPath, data);
    }

    /// <summary>
    /// The figures of <c>glassbox explain</c>: image_plot.png and, for additive explanations (values that sum to
    /// f(x) − base), a force plot of the first input's top explained class.
    /// </summary>
    public static IReadOnlyDictionary<string, string> WriteExplainFigures(string folder, float[] pixels, Explanation e, float[] probs, ModelInfo info, string[] names, int topK,
        string? colorbarLabel = null, bool forcePlot = true)
    {
        var files = new Dictionary<string, string>();
        WriteImagePlot(Path.Combine(folder, "image_plot.png"), pixels, e, probs, info, names, topK, colorbarLabel);
        files["imagePlot"] = "image_plot.png";
        if (!forcePlot) return files;
        int k = e.TargetsPerInput;
        int best = Enumerable.Range(0, k).OrderByDescending(s => probs[e.Targets[s]]).First();
        WriteForcePlot(Path.Combine(folder, "force_plot.html"), Path.Combine(folder, "force_plot.svg"), pixels, e, info, 0, best);
        files["forcePlot"] = "force_plot.html";
        files["forcePlotSvg"] = "force_plot.svg";
        return files;
    }
}

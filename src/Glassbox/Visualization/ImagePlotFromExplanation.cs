using System.Globalization;
using Glassbox.Attribution;

namespace Glassbox.Visualization;

public static partial class ImagePlot
{
    /// <summary>
    /// The data of <c>shap.image_plot</c> for an <see cref="Explanation"/> that carries its inputs: one row per input,
    /// one panel per explained class titled with its name (and probability when <paramref name="probabilities"/>, N×classes,
    /// is given). With <paramref name="topK"/> &gt; 0 each row shows only its top-k explained classes, ranked by probability
    /// (or by the model output when no probabilities are given).
    /// </summary>
    public static ImagePlotData From(Explanation explanation, float[]? probabilities = null, int topK = 0, IReadOnlyList<string>? rowLabels = null)
    {
        var e = explanation;
        var pixels = e.Inputs ?? throw new GlassboxException(
            $"The {e.Method} explanation carries no input pixels; set Inputs (N×C×H×W) on it, e.g. explanation with {{ Inputs = pixels }}, or build ImagePlotData yourself.");
        if (topK < 0) throw new GlassboxException($"topK must be 0 (every explained class) or positive, not {topK}.");
        int n = e.Count, k = e.TargetsPerInput, d = e.MapSize;
        if (pixels.LongLength != (long)n * d)
            throw new GlassboxException($"The explanation's Inputs hold {pixels.LongLength} values; {n} inputs of {e.Shape[2]}×{e.Shape[3]}×{e.Shape[4]} need {(long)n * d}.");
        int classes = probabilities is null ? 0 : probabilities.Length / Math.Max(1, n);
        if (probabilities is not null && (probabilities.Length != n * classes || e.Targets.Any(t => t >= classes)))
            throw new GlassboxException($"Probabilities hold {probabilities.Length} values; pass N×classes ({n} rows) covering every explained class.");
        double Score(int i, int slot) => probabilities is not null ? probabilities[i * classes + e.Targets[i * k + slot]] : e.Outputs[i * k + slot];
        bool ranked = probabilities is not null || e.Outputs.All(double.IsFinite);

        var slots = new int[n][];
        for (int i = 0; i < n; i++)
        {
            int row = i;
            var order = ranked ? Enumerable.Range(0, k).OrderByDescending(s => Score(row, s)).ToArray() : Enumerable.Range(0, k).ToArray();
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
                titles[i][p] = probabilities is null ? e.ClassName(cls)
                    : $"{e.ClassName(cls)} (p={probabilities[i * classes + cls].ToString("F2", CultureInfo.InvariantCulture)})";
            }
        }
        return new ImagePlotData(pixels, values, n, panels, e.Shape[2], e.Shape[3], e.Shape[4], titles, rowLabels?.ToArray());
    }
}

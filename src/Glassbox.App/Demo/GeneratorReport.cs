using System.Globalization;
using System.Net;
using System.Text;
using Glassbox.App.Generation;

namespace Glassbox.App;

/// <summary>
/// The report's generator section (<c>glassbox demo --generator</c>): the metric table with the real-vs-real floor beside
/// each value, per generator the samples sorted by model A's prediction, the loss curves and (VAE) the KL per latent
/// dimension, then the figures of the generator explanations with their captions.
/// </summary>
internal static class GeneratorReport
{
    /// <summary>Appends the section for <paramref name="g"/> to <paramref name="h"/>.</summary>
    public static void Append(StringBuilder h, OutputLayout layout, GeneratorDemoSummary g, IReadOnlyList<string>? classNames)
    {
        var models = g.Models ?? [];
        h.Append("<h2>Generators</h2><p>").Append(E(string.Join(" ", models.Select(m =>
            $"{m.Name} ({m.Kind}, latent {m.LatentSize}): {m.Epochs} epochs of batch {m.BatchSize} in {F(m.TrainSeconds, "F0")} s, evaluated in {F(m.EvaluateSeconds, "F0")} s.")))
            + $" Generator part in all: {F(g.Seconds, "F0")} s.").Append("</p>");

        if (models.Count > 0 && models[0].Metrics is { Count: > 0 } first)
        {
            h.Append("<table><tr><th>Metric</th>");
            foreach (var m in models) h.Append("<th>").Append(E(m.Name)).Append("</th>");
            h.Append("<th>Real-vs-real floor</th></tr>");
            foreach (var row in first)
            {
                h.Append("<tr><td>").Append(E(row.Metric)).Append(" (").Append(row.HigherIsBetter ? "higher" : "lower").Append(" is better)</td>");
                foreach (var m in models)
                {
                    var r = m.Metrics?.FirstOrDefault(x => x.Metric == row.Metric);
                    h.Append("<td class=\"num\">").Append(r is null ? "n/a" : E(Value(r.Generated, r.GeneratedStd))).Append("</td>");
                }
                h.Append("<td class=\"num\">").Append(E(Value(row.Floor, row.FloorStd))).Append("</td></tr>");
            }
            h.Append("</table><p>").Append(E($"{g.EvaluatedImages} generated images against the first {g.EvaluatedImages} test images, in model A's features ({g.Features}); " +
                $"the floor compares those test images with {g.EvaluatedImages} training images — what a perfect generator would score at this size. " +
                "FD and KID are not FID/KID values on Inception features and are comparable only within this table. KID and IS: mean ± std over subsets / splits.")).Append("</p>");
        }

        foreach (var m in models)
        {
            h.Append("<h3>").Append(E(m.Name)).Append("</h3>");
            var counts = m.PredictedClassCounts ?? [];
            string shares = string.Join(", ", counts.Select((c, i) => $"{ClassName(classNames, i)}: {c}"));
            Figure(h, layout, m.SamplesByClass,
                $"{m.ClassifiedSamples} prior samples of the {m.Name} sorted by model A's prediction: row c shows the first 8 samples model A calls c (black cells: fewer than 8). " +
                $"Samples per predicted class: {shares}; mean top probability {F(m.MeanConfidence, "F3")}. The classes are model A's reading, not labels: the {m.Name} is unconditional.");
            Figure(h, layout, m.LossCurves, $"{m.Name} losses per epoch (mean per image). " + string.Join(", ", (m.FinalLosses ?? new Dictionary<string, double>()).Select(l => $"{l.Key} {F(l.Value, "F3")}")) + " in the last epoch.");
            if (m.KlPerDimension is not null)
            {
                var kl = m.FinalKlPerDimension ?? [];
                int active = kl.Count(v => v > 0.1);
                Figure(h, layout, m.KlPerDimension,
                    $"KL of each latent dimension per epoch (nats). In the last epoch {active} of {kl.Length} dimensions carry more than 0.1 nats; a dimension near 0 is unused (posterior collapse).");
            }
        }

        foreach (var e in g.Explanations ?? [])
        {
            h.Append("<h3>").Append(E($"{e.What} ({e.Generator})")).Append("</h3>");
            if (e.Error is not null)
            {
                h.Append("<div class=\"fail\">✗ ").Append(E($"explain-generator --what {e.What} refused: {e.Error}")).Append("</div>");
                continue;
            }
            h.Append("<p class=\"sub\">").Append(E($"glassbox explain-generator --what {e.What} on the demo's {e.Generator}, classifier model A, {F(e.Seconds, "F1")} s; files in {e.Folder}")).Append("</p>");
            foreach (var f in e.Figures ?? []) Figure(h, layout, f.File, f.Caption);
        }
    }

    private static void Figure(StringBuilder h, OutputLayout layout, string relative, string caption)
    {
        byte[]? bytes = RunFolderFiles.Read(layout.Root, relative);
        if (bytes is null) return;
        string mime = relative.EndsWith(".gif", StringComparison.Ordinal) ? "image/gif" : relative.EndsWith(".svg", StringComparison.Ordinal) ? "image/svg+xml" : "image/png";
        h.Append("<figure><img alt=\"").Append(E(caption)).Append("\" src=\"data:").Append(mime).Append(";base64,").Append(Convert.ToBase64String(bytes))
         .Append("\"><figcaption>").Append(E(caption)).Append("</figcaption></figure>");
    }

    private static string Value(double v, double? std)
    {
        if (!double.IsFinite(v)) return "n/a";
        string s = v.ToString("G4", CultureInfo.InvariantCulture);
        return std is { } sd && double.IsFinite(sd) ? $"{s} ± {sd.ToString("G2", CultureInfo.InvariantCulture)}" : s;
    }

    private static string ClassName(IReadOnlyList<string>? names, int c)
        => names is not null && c < names.Count && names[c] is { } name ? name : c.ToString(CultureInfo.InvariantCulture);

    private static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
}

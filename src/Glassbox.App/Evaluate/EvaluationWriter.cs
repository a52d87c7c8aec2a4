using System.Globalization;
using System.Text;
using System.Text.Json;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Visualization;

namespace Glassbox.App;

/// <summary>Writes evaluation.json, evaluation.csv, the charts and evaluation.html (each file atomically).</summary>
public static class EvaluationWriter
{
    /// <summary>Draws the charts into figures/ and returns them by role (relative paths).</summary>
    public static Dictionary<string, string> WriteFigures(EvaluationLayout layout, IReadOnlyList<MethodRecord> records, IReadOnlyList<EvaluationRow> rows,
        EvaluationImages images, ModelInfo info)
    {
        Directory.CreateDirectory(layout.Figures);
        foreach (var old in Directory.EnumerateFiles(layout.Figures, "*.png")) File.Delete(old);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var group in rows.Where(x => x.Skipped is null && double.IsFinite(x.Mean)).GroupBy(x => x.Metric))
        {
            string path = layout.Figure($"metric_{group.Key}.png");
            EvaluationFigures.MetricBars(path, group.Key, group.First().HigherIsBetter,
                group.Select(x => new MetricBar(x.Method, x.Mean, x.CiLow, x.CiHigh, x.Rank)).ToList());
            files[$"metric:{group.Key}"] = layout.Relative(path);
        }
        var metricNames = records.SelectMany(x => x.Metrics).Select(x => x.Metric).Distinct().ToList();
        foreach (string metric in metricNames)
        {
            var curves = records.SelectMany(rec => rec.Metrics.Where(x => x.Metric == metric && x.Curves is not null).Select(x => (rec.Method, x.Curves!))).ToList();
            if (curves.Count > 0)
            {
                string path = layout.Figure($"curves_{metric}.png");
                EvaluationFigures.Curves(path, metric, curves, "explained output (mean over images)");
                files[$"curves:{metric}"] = layout.Relative(path);
            }
            var cascades = records.SelectMany(rec => rec.Metrics.Where(x => x.Metric == metric && x.Cascade is not null).Select(x => (rec.Method, x.Cascade!))).ToList();
            if (cascades.Count == 0) continue;
            string sim = layout.Figure($"cascade_{metric}.png");
            EvaluationFigures.CascadeSimilarity(sim, metric, cascades);
            files[$"cascade:{metric}"] = layout.Relative(sim);
            int d = info.Channels * info.Height * info.Width;
            foreach (var (method, cascade) in cascades)
            {
                string path = layout.Figure($"cascade_{metric}_{method}.png");
                EvaluationFigures.CascadeMaps(path, method, cascade, images.Pixels.AsSpan(0, d).ToArray());
                files[$"cascade-maps:{metric}:{method}"] = layout.Relative(path);
            }
        }
        return files;
    }

    /// <summary>Writes evaluation.json, evaluation.csv and evaluation.html; returns the report with every file listed.</summary>
    public static EvaluationReport Write(EvaluationLayout layout, EvaluationReport report)
    {
        var files = new Dictionary<string, string>(report.Files, StringComparer.Ordinal)
        {
            ["json"] = layout.Relative(layout.Json), ["csv"] = layout.Relative(layout.Csv), ["html"] = layout.Relative(layout.Html),
        };
        foreach (var m in report.Methods.Where(m => m.Skipped is null)) files[$"maps:{m.Method}"] = layout.Relative(layout.Maps(m.Method));
        report = report with { Files = files };
        AtomicFile.WriteAllText(layout.Csv, Csv(report.Rows.Concat(report.Agreement)));
        AtomicFile.WriteAllText(layout.Json, JsonSerializer.Serialize(report, AppJson.Options));
        AtomicFile.WriteAllText(layout.Html, Html(layout, report));
        return report;
    }

    /// <summary>The CSV: one row per (method, metric), RFC 4180 quoting, invariant numbers.</summary>
    public static string Csv(IEnumerable<EvaluationRow> rows)
    {
        var sb = new StringBuilder("method,metric,category,higher_is_better,mean,ci_low,ci_high,n,rank,seconds,skipped\n");
        foreach (var r in rows)
            sb.Append(Field(r.Method)).Append(',').Append(Field(r.Metric)).Append(',').Append(r.Category).Append(',')
              .Append(r.HigherIsBetter ? "true" : "false").Append(',').Append(Num(r.Mean)).Append(',').Append(Num(r.CiLow)).Append(',')
              .Append(Num(r.CiHigh)).Append(',').Append(r.Count.ToString(CultureInfo.InvariantCulture)).Append(',')
              .Append(r.Rank?.ToString(CultureInfo.InvariantCulture) ?? "").Append(',').Append(r.Seconds.ToString("0.###", CultureInfo.InvariantCulture))
              .Append(',').Append(Field(r.Skipped ?? "")).Append('\n');
        return sb.ToString();
    }

    private static string Num(double v) => double.IsFinite(v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";

    private static string Field(string s)
    {
        // A leading = + - @ would make a spreadsheet run the cell as a formula.
        if (s.Length > 0 && s[0] is '=' or '+' or '-' or '@') s = "'" + s;
        return s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;
    }

    private static string Html(EvaluationLayout layout, EvaluationReport report)
    {
        static string E(string? s) => Escape(s);
        static string F(double v) => double.IsFinite(v) ? NumberFormat.Compact(v) : "–";
        var s = report.Settings;
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Glassbox evaluation</title><style>")
         .Append("body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}")
         .Append("h2{border-bottom:2px solid #eee;padding-bottom:.2em;margin-top:2em}table{border-collapse:collapse;margin:1em 0}")
         .Append("td,th{border:1px solid #ddd;padding:.3em .6em;text-align:left}th{background:#f6f6f6}.best{font-weight:bold;background:#eef7ee}")
         .Append(".skip{color:#8a6d00}figure{margin:1.2em 0}figcaption{color:#555;font-size:.92em}img{max-width:100%}.sub{color:#666}</style></head><body>");
        h.Append("<h1>Glassbox evaluation</h1><p class=\"sub\">").Append(E($"{s.Model} ({s.ModelKind}); {s.Images} test images of {s.Data}; targets: {s.Targets}; output: {s.Output}; seed {s.Seed}; {s.Bootstrap} bootstrap resamples."))
         .Append("</p>");
        h.Append("<h2>Ranking per metric</h2>");
        foreach (var group in report.Rows.GroupBy(r => r.Metric))
        {
            var first = group.First();
            h.Append("<h3>").Append(E(group.Key)).Append(" <span class=\"sub\">(").Append(E(first.Category)).Append(", ")
             .Append(first.HigherIsBetter ? "higher" : "lower").Append(" is better)</span></h3>");
            h.Append("<table><tr><th>Rank</th><th>Method</th><th>Mean</th><th>95 % CI</th><th>n</th><th>Seconds</th><th>Note</th></tr>");
            foreach (var r in group.OrderBy(r => r.Rank ?? int.MaxValue))
                h.Append(r.Rank == 1 ? "<tr class=\"best\">" : "<tr>").Append("<td>").Append(r.Rank?.ToString(CultureInfo.InvariantCulture) ?? "–").Append("</td><td>")
                 .Append(E(r.Method)).Append("</td><td>").Append(E(F(r.Mean))).Append("</td><td>")
                 .Append(double.IsFinite(r.CiLow) ? E($"[{F(r.CiLow)}, {F(r.CiHigh)}]") : "–").Append("</td><td>").Append(r.Count)
                 .Append("</td><td>").Append(r.Seconds.ToString("0.0", CultureInfo.InvariantCulture)).Append("</td><td class=\"skip\">")
                 .Append(E(r.Skipped ?? "")).Append("</td></tr>");
            if (report.Chance.TryGetValue(group.Key, out double chance))
                h.Append("<tr class=\"sub\"><td>–</td><td>random maps (chance level)</td><td>").Append(E(F(chance)))
                 .Append("</td><td>–</td><td></td><td></td><td>a method that finds the evidence scores above this</td></tr>");
            h.Append("</table>");
            Figure(h, layout, report, $"metric:{group.Key}", $"{group.Key}: mean per method with 95 % bootstrap interval");
            Figure(h, layout, report, $"curves:{group.Key}", $"{group.Key}: mean curves per method");
            Figure(h, layout, report, $"cascade:{group.Key}", $"{group.Key}: similarity to the original explanation as layers are randomised");
            foreach (var key in report.Files.Keys.Where(k => k.StartsWith($"cascade-maps:{group.Key}:", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
                Figure(h, layout, report, key, $"{key.Split(':')[2]}: the first image's map at each randomisation step");
        }
        if (report.Agreement.Count > 0)
        {
            h.Append("<h2>Agreement between methods</h2><table><tr><th>Pair</th><th>Metric</th><th>Mean</th><th>95 % CI</th><th>Note</th></tr>");
            foreach (var r in report.Agreement)
                h.Append("<tr><td>").Append(E(r.Method)).Append("</td><td>").Append(E(r.Metric)).Append("</td><td>").Append(E(F(r.Mean)))
                 .Append("</td><td>").Append(double.IsFinite(r.CiLow) ? E($"[{F(r.CiLow)}, {F(r.CiHigh)}]") : "–").Append("</td><td class=\"skip\">")
                 .Append(E(r.Skipped ?? "")).Append("</td></tr>");
            h.Append("</table>");
        }
        if (report.AcrossModels.Count > 0)
        {
            h.Append("<h2>Agreement across models</h2><p class=\"sub\">Each method explained the same images and targets with every model (")
             .Append(E(string.Join(", ", report.AcrossModels[0].Models))).Append("); mean over the model pairs, with the spread (standard deviation) and the least agreeing pair.</p>")
             .Append("<table><tr><th>Method</th><th>Spearman mean</th><th>± std</th><th>min</th><th>Top-10 % overlap mean</th><th>± std</th><th>min</th><th>Note</th></tr>");
            foreach (var a in report.AcrossModels)
            {
                h.Append("<tr><td>").Append(E(a.Method)).Append("</td>");
                foreach (var m in a.Result is { } res ? new[] { res.Spearman, res.TopOverlap } : [])
                    h.Append("<td>").Append(E(F(m.Mean))).Append("</td><td>").Append(E(F(m.Std))).Append("</td><td>").Append(E(F(m.Min))).Append("</td>");
                if (a.Result is null) h.Append("<td colspan=\"6\">–</td>");
                h.Append("<td class=\"skip\">").Append(E(a.Skipped ?? "")).Append("</td></tr>");
            }
            h.Append("</table>");
        }
        h.Append("<h2>Methods</h2><table><tr><th>Method</th><th>Explain seconds</th><th>Options</th><th>Note</th></tr>");
        foreach (var m in report.Methods)
            h.Append("<tr><td>").Append(E(m.Method)).Append("</td><td>").Append(m.ExplainSeconds.ToString("0.0", CultureInfo.InvariantCulture)).Append("</td><td>")
             .Append(E(m.Options is null ? "" : string.Join(", ", m.Options.Select(o => $"{o.Key}={o.Value}")))).Append("</td><td class=\"skip\">")
             .Append(E(m.Skipped ?? (m.Resumed ? "read back from an earlier run with the same settings" : ""))).Append("</td></tr>");
        h.Append("</table><p class=\"sub\">Files: ");
        foreach (var rel in new[] { "evaluation.json", "evaluation.csv" })
            h.Append("<a href=\"").Append(E(rel)).Append("\">").Append(E(rel)).Append("</a> ");
        h.Append("</p></body></html>");
        return h.ToString();
    }

    private static string Escape(string? text) => System.Net.WebUtility.HtmlEncode(text ?? "").Replace("'", "&#39;", StringComparison.Ordinal);

    /// <summary>Embeds a figure of the run folder itself (never a path outside it) as a data URI.</summary>
    private static void Figure(StringBuilder h, EvaluationLayout layout, EvaluationReport report, string key, string caption)
    {
        if (!report.Files.TryGetValue(key, out var rel)) return;
        byte[]? bytes = RunFolderFiles.Read(layout.Root, rel);
        if (bytes is null) return;
        h.Append("<figure><img alt=\"").Append(Escape(caption)).Append("\" src=\"").Append("data:image/png;base64," + Convert.ToBase64String(bytes))
         .Append("\"><figcaption>").Append(Escape(caption)).Append("</figcaption></figure>");
    }
}

using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Glassbox.IO;
using Glassbox.Metrics.Axiomatic;
using Glassbox.Visualization;

namespace Glassbox.App;

/// <summary>
/// Writes report.html for a run folder: one self-contained page (figures embedded as data URIs, no network) with
/// the models' accuracy, the image plot and force plot of the explanation (DeepSHAP by default), and the reliability
/// checks, failures in red.
/// </summary>
public static class ReportBuilder
{
    /// <summary>Reads <c>metrics.json</c> in <paramref name="runFolder"/> and writes report.html next to it.</summary>
    public static string Rebuild(string runFolder)
    {
        var layout = new OutputLayout(Path.GetFullPath(runFolder));
        if (!Directory.Exists(layout.Root))
            throw new GlassboxException($"'{runFolder}' does not exist; run 'glassbox demo --out {runFolder}' first.");
        byte[] json = RunFolderFiles.Read(layout.Root, "metrics.json")
            ?? throw new GlassboxException($"'{runFolder}' has no metrics.json; run 'glassbox demo --out {runFolder}' first.");
        RunMetrics? metrics;
        try { metrics = JsonSerializer.Deserialize<RunMetrics>(json, AppJson.Options); }
        catch (JsonException e) { throw new GlassboxException($"'{layout.Metrics}' is not valid: {e.Message}"); }
        Validate(metrics, layout.Metrics);
        return Write(layout.Root, metrics!);
    }

    /// <summary>
    /// Checks that <paramref name="m"/> has the sections the report is built from (a metrics.json of <c>{}</c> or
    /// one edited by hand may lack them); details such as class names or training epochs may be missing and are omitted.
    /// </summary>
    public static void Validate(RunMetrics? m, string source)
    {
        if (m is null) throw new GlassboxException($"'{source}' holds no run metrics (it is null); run 'glassbox demo' to write it.");
        var missing = new List<string>();
        if (m.Settings is null) missing.Add("settings");
        if (m.Runtime is null) missing.Add("runtime");
        if (m.Data is null) missing.Add("data");
        if (m.Models is null || m.Models.Any(x => x is null)) missing.Add("models");
        if (m.DeepShap is null) missing.Add("deepShap");
        if (m.Reliability is null || m.Reliability.DeletionModelA is null || m.Reliability.DeletionModelB is null) missing.Add("reliability (with deletionModelA and deletionModelB)");
        if (missing.Count > 0)
            throw new GlassboxException($"'{source}' lacks {string.Join(", ", missing)}; it was not written by 'glassbox demo' or was edited. Run the demo again to rebuild the run folder.");
    }

    /// <summary>Writes report.html into <paramref name="runFolder"/> for <paramref name="m"/>; returns its path.</summary>
    public static string Write(string runFolder, RunMetrics m)
    {
        Validate(m, Path.Combine(runFolder, "metrics.json"));
        var layout = new OutputLayout(runFolder);
        var h = new StringBuilder();
        h.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Glassbox report</title><style>")
         .Append("body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}")
         .Append("h1{margin-bottom:0}h2{border-bottom:2px solid #eee;padding-bottom:.2em;margin-top:2em}.sub{color:#666;margin-top:.2em}")
         .Append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ddd;padding:.35em .7em;text-align:left}th{background:#f6f6f6}")
         .Append("td.num{text-align:right;font-variant-numeric:tabular-nums}.ok{background:#e8f5e9;border-left:6px solid #2e7d32;padding:.6em 1em;margin:1em 0}")
         .Append(".fail{background:#ffebee;border-left:6px solid #c62828;padding:.6em 1em;margin:1em 0;font-weight:600;color:#b71c1c}")
         .Append(".warn{background:#fff8e1;border-left:6px solid #f9a825;padding:.6em 1em;margin:1em 0}figure{margin:1.2em 0}figcaption{color:#555;font-size:.92em}img{max-width:100%}")
         .Append("iframe{width:100%;height:560px;border:1px solid #ddd}code{background:#f4f4f4;padding:0 .25em}</style></head><body>");
        h.Append("<h1>Glassbox report</h1><p class=\"sub\">Reference workflow on ").Append(E(m.Data.Folder)).Append(" — ")
         .Append(E(m.CreatedUtc.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))).Append(", ")
         .Append(F(m.TotalSeconds, "F0")).Append(" s on ").Append(E(m.Runtime.Device)).Append(" (").Append(m.Runtime.Threads).Append(" threads)</p>");

        // Verdict first.
        string method = MethodTitle(m.Settings.Method);
        var checks = new List<(bool Ok, string Text)>();
        if (m.DeepShap.Additivity is { } plotAdditivity)
            checks.Add((plotAdditivity.Holds, $"{method} additivity on the plotted images: max |f(x) − E[f] − Σφ| = {NumberFormat.Scientific(plotAdditivity.Max)} over {plotAdditivity.Count} explanations"));
        if (m.Reliability.AdditivityModelA is { } addA && m.Reliability.AdditivityModelB is { } addB)
            checks.Add((addA.Holds && addB.Holds, $"Additivity on {m.Reliability.Images} validation explanations per model: max error A {NumberFormat.Scientific(addA.Max)}, B {NumberFormat.Scientific(addB.Max)}"));
        checks.AddRange(
        [
            (m.Reliability.DeletionModelA.BeatsRandom && m.Reliability.DeletionModelB.BeatsRandom, $"Deletion: removing pixels by attribution lowers the class probability faster than random order (AUC A {m.Reliability.DeletionModelA.AttributionAuc:F3} vs {m.Reliability.DeletionModelA.RandomAuc:F3}; B {m.Reliability.DeletionModelB.AttributionAuc:F3} vs {m.Reliability.DeletionModelB.RandomAuc:F3})"),
            (m.Reliability.TopTenPercentOverlapMean > m.Reliability.RandomOverlapExpected, $"The two models agree beyond chance: top-10 % overlap {m.Reliability.TopTenPercentOverlapMean:F3} (chance {m.Reliability.RandomOverlapExpected:F2}), mean Spearman {m.Reliability.SpearmanMean:F3}"),
        ]);
        foreach (var (ok, text) in checks)
            h.Append(ok ? "<div class=\"ok\">✓ " : "<div class=\"fail\">✗ FAILED: ").Append(E(text)).Append("</div>");

        h.Append("<h2>Models</h2><table><tr><th>Model</th><th>Trained on</th><th>Images</th><th>Test accuracy</th><th>Validation accuracy</th><th>Epochs</th><th>Training img/s</th></tr>");
        foreach (var md in m.Models)
        {
            h.Append("<tr><td>").Append(E(md.Name)).Append(" (<code>").Append(E(md.Checkpoint)).Append("</code>)</td><td>").Append(E(md.TrainedOn))
             .Append("</td><td class=\"num\">").Append(md.TrainImages).Append("</td><td class=\"num\">").Append(P(md.TestAccuracy))
             .Append("</td><td class=\"num\">").Append(P(md.ValidationAccuracy)).Append("</td><td class=\"num\">").Append(md.History?.Epochs?.Count ?? 0)
             .Append("</td><td class=\"num\">").Append(md.History?.Epochs?.Where(e => e is not null).ToList() is { Count: > 0 } epochs ? F(epochs.Average(e => e.SamplesPerSecond), "F0") : "n/a").Append("</td></tr>");
        }
        h.Append("</table><p>").Append(E($"Architecture {m.Settings.Architecture}; Adam (lr 1e-3), cross-entropy, batch {m.Settings.BatchSize}, {m.Settings.Epochs} epochs, seed {m.Settings.Seed}. " +
            $"Data: {m.Data.TrainImages} training and {m.Data.TestImages} test images of {m.Data.Channels}×{m.Data.Height}×{m.Data.Width}; the training images are split 80/20 (seed {m.Settings.SplitSeed}) into {m.Data.SubsetTrainImages} for model B and {m.Data.ValidationImages} validation images. Model A saw the validation images during training, so its validation accuracy is optimistic; compare the test column."))
         .Append("</p>");
        Figure(h, layout, layout.TrainingHistory, "Training history: loss and accuracy per epoch, on the training images (solid) and the held-out images (dashed).");

        h.Append("<h2>").Append(E(method)).Append(" explanations</h2><p>").Append(E($"{(m.Settings.Method == "deep-shap" ? "SHAP values" : $"{method} attributions")} of model A for {m.DeepShap.TestIndices?.Length ?? 0} test images and every class, with {m.DeepShap.BackgroundSize} background images from the training data; values explain the {m.DeepShap.Output} (f(x) = E[f] + Σφ). Red pixels push the class score up, blue push it down; the scale of each row is symmetric at the 99.9th percentile of |φ|. {m.DeepShap.ImagesPerSecond:F2} images/s (all classes)."))
         .Append("</p>");
        Figure(h, layout, layout.ImagePlot, "SHAP image plot: input, then one panel per class with its probability.");
        if (RunFolderFiles.Resolve(layout.Root, layout.Relative(layout.ForcePlotHtml)) is not null)
            h.Append("<p>Force plot of the first test image for its predicted class (pixels grouped into patches; hover a block to see its region). Open <a href=\"force_plot.html\">force_plot.html</a> on its own for the interactive version.</p>");
        Figure(h, layout, layout.ForcePlotSvg, "Force plot: features pushing the score up (red) and down (blue) from the base value E[f] to f(x).");
        h.Append("<table><tr><th>Class</th><th>Expected value E[f]</th></tr>");
        var expectedValue = m.DeepShap.ExpectedValue ?? [];
        for (int c = 0; c < expectedValue.Length; c++)
            h.Append("<tr><td>").Append(E(ClassName(m.Data.ClassNames, c))).Append("</td><td class=\"num\">").Append(F(expectedValue[c], "F4")).Append("</td></tr>");
        h.Append("</table>");

        h.Append("<h2>Reliability</h2><p>").Append(E($"Both models explain the same {m.Reliability.Images} validation images for their true class with {method} and the same background. Agreement between the two explanations of each image:")).Append("</p><table>")
         .Append(Row("Mean Spearman rank correlation", F(m.Reliability.SpearmanMean, "F3")))
         .Append(Row("Median Spearman rank correlation", F(m.Reliability.SpearmanMedian, "F3")))
         .Append(Row("Mean top-10 % pixel overlap", $"{F(m.Reliability.TopTenPercentOverlapMean, "F3")} (chance: {F(m.Reliability.RandomOverlapExpected, "F2")})"))
         .Append("</table>");
        if (m.DeepShap.Additivity is { } pa && m.Reliability.AdditivityModelA is { } ra && m.Reliability.AdditivityModelB is { } rb)
            AdditivityTable(h, ("Plot (model A, all classes)", pa), ("Validation, model A", ra), ("Validation, model B", rb));
        Figure(h, layout, layout.AdditivityErrors, "Additivity errors of every explanation; the dashed line is the tolerance.");
        h.Append("<p>").Append(E($"Deletion check: pixels are set to 0 in order of decreasing {(m.Settings.Method == "deep-shap" ? "SHAP value" : "attribution")} (and, for reference, in random order); a faithful explanation makes the true class's probability fall faster, i.e. a smaller area under the curve.")).Append("</p><table><tr><th>Model</th><th>AUC by attribution</th><th>AUC random</th><th>Images where attribution order is faster</th></tr>");
        foreach (var (name, d) in new[] { ("A", m.Reliability.DeletionModelA), ("B", m.Reliability.DeletionModelB) })
            h.Append("<tr><td>").Append(name).Append("</td><td class=\"num\">").Append(F(d.AttributionAuc, "F3")).Append("</td><td class=\"num\">").Append(F(d.RandomAuc, "F3"))
             .Append("</td><td class=\"num\">").Append(P(d.ShareFasterThanRandom)).Append("</td></tr>");
        h.Append("</table>");
        Figure(h, layout, layout.DeletionCurves, "Deletion curves: mean probability of the true class as pixels are removed.");

        if (m.Generator is { } generator) GeneratorReport.Append(h, layout, generator, m.Data.ClassNames);

        h.Append("<h2>Files</h2><ul>");
        foreach (var (k, v) in (m.Files ?? new Dictionary<string, string>()).Where(kv => kv.Key is not null).OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            h.Append("<li><code>").Append(E(k)).Append("</code>: ");
            // Only http(s) and plain relative links are live; anything else (javascript:, data:, absolute paths) is shown as text.
            if (RunFolderFiles.IsSafeHref(v)) h.Append("<a href=\"").Append(E(v)).Append("\">").Append(E(v)).Append("</a>");
            else h.Append("<code>").Append(E(v ?? "")).Append("</code>");
            h.Append("</li>");
        }
        h.Append("<li><code>metrics</code>: <a href=\"metrics.json\">metrics.json</a></li></ul>");
        h.Append("<p class=\"sub\">").Append(E($"Runtime: TorchSharp {m.Runtime.TorchSharp}, allocator: {m.Runtime.Malloc}, libstdc++ compatibility shim loaded: {m.Runtime.LibStdCxxShim}.")).Append("</p></body></html>");
        AtomicFile.WriteAllText(layout.Report, h.ToString());
        return layout.Report;
    }

    private static void AdditivityTable(StringBuilder h, params (string Name, CompletenessReport R)[] rows)
    {
        h.Append("<table><tr><th>Additivity |f(x) − E[f] − Σφ|</th><th>Explanations</th><th>Max</th><th>Mean</th><th>Median</th><th>99th pct</th><th>Failures (tolerance ")
         .Append(E(NumberFormat.Scientific(rows[0].R.Tolerance, 0))).Append("·max(1,|f(x)|))</th></tr>");
        foreach (var (name, r) in rows)
            h.Append("<tr><td>").Append(E(name)).Append("</td><td class=\"num\">").Append(r.Count).Append("</td><td class=\"num\">").Append(NumberFormat.Scientific(r.Max))
             .Append("</td><td class=\"num\">").Append(NumberFormat.Scientific(r.Mean)).Append("</td><td class=\"num\">").Append(NumberFormat.Scientific(r.Median))
             .Append("</td><td class=\"num\">").Append(NumberFormat.Scientific(r.P99)).Append("</td><td class=\"num\"").Append(r.Failures > 0 ? " style=\"color:#c62828;font-weight:700\"" : "")
             .Append('>').Append(r.Failures).Append("</td></tr>");
    }

    private static string MethodTitle(string method) => method == "deep-shap" ? "DeepSHAP" : method;

    private static void Figure(StringBuilder h, OutputLayout layout, string path, string caption)
    {
        string file = Path.GetFileName(path);
        byte[]? bytes = RunFolderFiles.Read(layout.Root, layout.Relative(path));
        if (bytes is null) return;
        h.Append("<figure><img alt=\"").Append(E(caption)).Append("\" src=\"data:").Append(file.EndsWith(".svg", StringComparison.Ordinal) ? "image/svg+xml" : "image/png").Append(";base64,").Append(Convert.ToBase64String(bytes))
         .Append("\"><figcaption>").Append(E(caption)).Append("</figcaption></figure>");
    }

    private static string ClassName(IReadOnlyList<string>? names, int c)
        => names is not null && c < names.Count && names[c] is { } name ? name : c.ToString(CultureInfo.InvariantCulture);

    private static string Row(string k, string v) => $"<tr><td>{E(k)}</td><td class=\"num\">{E(v)}</td></tr>";
    private static string E(string? s) => WebUtility.HtmlEncode(s ?? "");
    private static string F(double v, string format) => v.ToString(format, CultureInfo.InvariantCulture);
    private static string P(double v) => double.IsFinite(v) ? (v * 100).ToString("F2", CultureInfo.InvariantCulture) + " %" : "n/a";
}

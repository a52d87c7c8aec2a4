using System.Text.Json;
using Glassbox.Attribution;
using Glassbox.IO;

namespace Glassbox.App;

/// <summary>Stage 3 of explain and demo: write an explanation (and its checks) in the <see cref="OutputLayout"/>.</summary>
public static class WriteStage
{
    /// <summary>
    /// Writes the .npy files, the image plot, a force plot for additive explanations, the checks (when given) and
    /// explanation.json; returns the written files by role, relative to the output folder.
    /// </summary>
    /// <param name="layout">Output folder.</param>
    /// <param name="x">The explain stage's result.</param>
    /// <param name="checks">The check stage's result, or null.</param>
    /// <param name="topK">Classes per image-plot row (0 = all explained).</param>
    /// <param name="about">Extra fields for explanation.json (e.g. the model's path).</param>
    /// <param name="labels">True labels of the inputs, when known.</param>
    /// <param name="plotRows">Inputs shown in the image plot (the first ones); 0 shows all. A plot never fails the run:
    /// the arrays are complete whatever it shows.</param>
    /// <param name="streamed">Files the caller already wrote by role (the attributions when the explain stage streamed them).</param>
    /// <param name="warn">Receives what was left out (an image plot too large to draw).</param>
    public static Dictionary<string, string> Write(OutputLayout layout, ExplainedImages x, ReliabilityChecks? checks, int topK,
        IReadOnlyDictionary<string, object?> about, int[]? labels = null, int plotRows = 0, IReadOnlyDictionary<string, string>? streamed = null,
        Action<string>? warn = null)
    {
        layout.Create();
        var e = x.Explanation;
        var info = x.Info;
        int n = e.Count, k = e.TargetsPerInput;
        var files = new Dictionary<string, string>(streamed ?? new Dictionary<string, string>());
        void Npy(string key, string path, Action<string> write)
        {
            write(path);
            files[key] = layout.Relative(path);
        }
        bool Streamed(string key) => streamed?.ContainsKey(key) == true;
        if (!Streamed("attributions"))
        {
            if (!x.Complete) throw new InvalidOperationException("The explain stage streamed its attributions; pass the written file.");
            Npy("attributions", layout.Attributions, p => NpyFile.Write(p, e.Values, e.Shape));
        }
        // Streamed arrays are complete in their files (outputs and base values only when all finite); the rest is in memory.
        bool inMemory = streamed is null || !Streamed("targets");
        if (!inMemory && !x.Complete && !(Streamed("inputs") && Streamed("probabilities")))
            throw new InvalidOperationException("The explain stage streamed its results; pass every written file.");
        if (inMemory)
        {
            Npy("targets", layout.Targets, p => NpyFile.Write(p, e.Targets.Select(v => (long)v).ToArray(), [n, k]));
            Npy("inputs", layout.Inputs, p => NpyFile.Write(p, e.Inputs!, [n, info.Channels, info.Height, info.Width]));
            Npy("probabilities", layout.Probabilities, p => NpyFile.Write(p, x.Probabilities, [n, info.Classes]));
        }
        if (labels is not null) Npy("labels", layout.Labels, p => NpyFile.Write(p, labels, [n]));
        bool hasOutputs = inMemory ? e.Outputs.All(double.IsFinite) : Streamed("outputs");
        bool hasBase = inMemory ? e.BaseValues.All(double.IsFinite) : Streamed("baseValues");
        if (inMemory && hasOutputs) Npy("outputs", layout.Outputs, p => NpyFile.Write(p, e.Outputs, [n, k]));
        if (inMemory && hasBase) Npy("baseValues", layout.BaseValues, p => NpyFile.Write(p, e.BaseValues, [n, k]));
        if (x.ExpectedValue is { } expected)
        {
            if (!files.ContainsKey("shapValues"))
                Npy("shapValues", layout.ShapValues, p => { if (Streamed("attributions")) File.Copy(layout.Attributions, p, overwrite: true); else NpyFile.Write(p, e.Values, e.Shape); });
            Npy("expectedValue", layout.ExpectedValue, p => NpyFile.Write(p, expected, [info.Classes]));
        }

        int rows = plotRows > 0 ? Math.Min(plotRows, n) : n;
        rows = Math.Min(rows, Math.Min(x.RowsInMemory, n));
        var head = x.Head(rows);
        string? plotError = null;
        try
        {
            ExplanationFigures.WriteImagePlot(layout.ImagePlot, head, x.Probabilities.AsSpan(0, rows * info.Classes).ToArray(), x.Names[..rows], topK,
                ExplanationFigures.ColorbarLabel(x.Entry.Name, e));
            files["imagePlot"] = layout.Relative(layout.ImagePlot);
        }
        catch (GlassboxException plot)
        {
            // A figure never fails the computation: the arrays are written; say why there is no plot.
            plotError = $"No image plot: {plot.Message} (Use --top-k or --plot-rows.)";
            warn?.Invoke(plotError);
        }
        bool additive = x.AdditivityErrors is not null && hasOutputs && hasBase;
        if (additive)
        {
            int best = Enumerable.Range(0, k).OrderByDescending(s => x.Probabilities[e.Targets[s]]).First();
            ExplanationFigures.WriteForcePlot(layout.ForcePlotHtml, layout.ForcePlotSvg, head, 0, best);
            files["forcePlot"] = layout.Relative(layout.ForcePlotHtml);
            files["forcePlotSvg"] = layout.Relative(layout.ForcePlotSvg);
        }
        if (checks is not null)
            foreach (var (key, v) in WriteChecks(layout, checks, e, x.AdditivityErrors)) files[key] = v;

        var additivity = x.Additivity;
        var deltas = additive ? x.SignedDeltas ?? Enumerable.Range(0, n * k).Select(e.Delta).ToArray() : null;
        var summary = new Dictionary<string, object?>
        {
            ["method"] = x.Entry.Name, ["methodClass"] = e.Method, ["family"] = x.Entry.Family, ["settings"] = SettingsDescriber.Describe(e.Settings),
        };
        foreach (var (key, v) in about) summary[key] = v;
        summary["output"] = e.Output.ToString().ToLowerInvariant();
        summary["backgroundSize"] = x.BackgroundCount;
        summary["inputs"] = x.Names;
        summary["predictions"] = x.Predictions;
        summary["targets"] = inMemory ? e.Targets : ExplainFiles.Column<long>(layout.Targets);
        summary["seconds"] = x.Seconds;
        summary["plotRows"] = plotError is null ? rows : 0;
        summary["plotError"] = plotError;
        summary["outputs"] = !hasOutputs ? null : inMemory ? e.Outputs : ExplainFiles.Column<double>(layout.Outputs);
        summary["baseValues"] = !hasBase ? null : inMemory ? e.BaseValues : ExplainFiles.Column<double>(layout.BaseValues);
        summary["check"] = additivity is null ? null : new
        {
            kind = e.AdditivityGuaranteed ? "additivity (guaranteed by the method)" : "convergence delta (estimator; reported, not a failure)",
            guaranteed = e.AdditivityGuaranteed, holds = !e.AdditivityGuaranteed || additivity.Holds,
            maxAbs = additivity.Max, meanAbs = additivity.Mean, maxRelative = additivity.MaxRelative, tolerance = additivity.Tolerance,
            failures = e.AdditivityGuaranteed ? additivity.Failures : 0, signedDeltas = deltas,
        };
        summary["files"] = files;
        // Serialized straight to the file, so arrays read back from the streamed .npy files are never held whole.
        AtomicFile.Write(layout.Summary, stream => JsonSerializer.Serialize(stream, summary, AppJson.Options));
        files["summary"] = layout.Relative(layout.Summary);
        return files;
    }

    /// <summary>Writes checks.json, the deletion curves and, when the method reports errors, their histogram.</summary>
    public static Dictionary<string, string> WriteChecks(OutputLayout layout, ReliabilityChecks checks, Explanation e)
        => WriteChecks(layout, checks, e, e.AdditivityErrors);

    /// <summary>As the other overload, with every input's additivity errors given apart (when the explanation holds only the first inputs').</summary>
    public static Dictionary<string, string> WriteChecks(OutputLayout layout, ReliabilityChecks checks, Explanation e, double[]? additivityErrors)
    {
        var files = new Dictionary<string, string>();
        RunCharts.Deletion(layout.DeletionCurves, [(checks.Method, checks.Deletion)], "mean probability of the checked class");
        files["deletionCurves"] = layout.Relative(layout.DeletionCurves);
        if (additivityErrors is { } errors && errors.Any(double.IsFinite))
        {
            RunCharts.AdditivityErrors(layout.AdditivityErrors, [(checks.Method, errors)], e.AdditivityTolerance);
            files["additivityErrors"] = layout.Relative(layout.AdditivityErrors);
        }
        AtomicFile.WriteAllText(layout.Checks, JsonSerializer.Serialize(new
        {
            checks.Method, checks.Additivity, checks.AdditivityGuaranteed, checks.AdditivityHolds,
            deletion = new { checks.Deletion.AttributionAuc, checks.Deletion.RandomAuc, checks.Deletion.BeatsRandom, checks.Deletion.ShareFasterThanRandom, checks.Deletion.Images, checks.Deletion.Fractions, checks.Deletion.AttributionCurve, checks.Deletion.RandomCurve },
            checks.DeletionTargets,
        }, AppJson.Options));
        files["checks"] = layout.Relative(layout.Checks);
        return files;
    }
}

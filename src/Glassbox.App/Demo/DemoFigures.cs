using Glassbox.Attribution;

namespace Glassbox.App;

/// <summary>The demo's own figures (the explanation's figures come from the write stage): training history, deletion curves of both models, additivity errors.</summary>
public static class DemoFigures
{
    /// <summary>Writes the figures and returns their paths relative to the run folder, by key.</summary>
    public static IReadOnlyDictionary<string, string> Write(OutputLayout layout, IReadOnlyList<ModelSummary> models, ReliabilitySummary reliability,
        Explanation plot, Explanation relA, Explanation relB)
    {
        var files = new Dictionary<string, string>();
        RunCharts.TrainingHistory(layout.TrainingHistory, models.Select(m => ($"model {m.Name}", m.History)).ToList());
        files["trainingHistory"] = layout.Relative(layout.TrainingHistory);
        RunCharts.Deletion(layout.DeletionCurves, [("model A", reliability.DeletionModelA), ("model B", reliability.DeletionModelB)],
            "mean probability of the true class");
        files["deletionCurves"] = layout.Relative(layout.DeletionCurves);
        var sets = new (string Name, Explanation E)[] { ("plot, model A", plot), ("validation, model A", relA), ("validation, model B", relB) }
            .Where(s => s.E.AdditivityErrors is not null).Select(s => (s.Name, s.E.AdditivityErrors!)).ToList();
        if (sets.Count > 0 && sets.Any(s => s.Item2.Any(double.IsFinite)))
        {
            RunCharts.AdditivityErrors(layout.AdditivityErrors, sets, plot.AdditivityTolerance);
            files["additivityErrors"] = layout.Relative(layout.AdditivityErrors);
        }
        return files;
    }
}

using Glassbox.Metrics.Faithfulness;
using Glassbox.Visualization.Charts;
using TrainingRun = Glassbox.Training.TrainingHistory;

namespace Glassbox.App;

/// <summary>The app's charts, drawn with the library's chart set (Visualization/Charts) from the app's results.</summary>
public static class RunCharts
{
    /// <summary>Mean deletion curves (attribution order vs random order) of each named result, AUC in the legend.</summary>
    public static void Deletion(string path, IReadOnlyList<(string Name, DeletionResult Result)> curves, string yLabel)
    {
        var series = curves.SelectMany(c => new[]
        {
            new CurveSeries($"{c.Name}: by attribution", c.Result.Fractions, c.Result.AttributionCurve),
            new CurveSeries($"{c.Name}: random order", c.Result.Fractions, c.Result.RandomCurve),
        }).ToList();
        DeletionCurveChart.Save(path, series, new ChartOptions("Deletion: class probability as pixels are removed"), yLabel);
    }

    /// <summary>Loss and accuracy per epoch of each model; dashed = held-out data.</summary>
    public static void TrainingHistory(string path, IReadOnlyList<(string Model, TrainingRun History)> runs)
    {
        var histories = runs.Select(r => new TrainingHistory(r.Model,
            r.History.Epochs.Select(e => new EpochMetrics(e.Epoch, e.TrainLoss, e.TrainAccuracy, e.HeldOutLoss, e.HeldOutAccuracy)).ToList())).ToList();
        TrainingHistoryChart.Save(path, histories);
    }

    /// <summary>Histogram of the additivity errors of every named set together, with the tolerance marked.</summary>
    public static void AdditivityErrors(string path, IReadOnlyList<(string Name, double[] Errors)> sets, double tolerance)
    {
        string title = "Additivity error: " + string.Join("; ", sets.Select(s => s.Name));
        var finite = sets.SelectMany(s => s.Errors).Where(double.IsFinite).ToList(); // NaN errors are failures; the report lists them
        if (finite.Count > 0) AdditivityHistogram.Save(path, finite, tolerance, new ChartOptions(title));
    }
}

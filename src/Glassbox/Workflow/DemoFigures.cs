using Glassbox.Attribution;
using Glassbox.Data;
using Glassbox.Models;

namespace Glassbox.Workflow;

/// <summary>Writes every figure of the reference workflow into the run's figures folder.</summary>
public sealed class DemoFigures(OutputLayout layout)
{
    /// <summary>Writes the figures and returns their paths relative to the run folder, by key.</summary>
    public IReadOnlyDictionary<string, string> WriteAll(ImageDataset plotSet, Explanation plotExplanation, float[] probs, int[] predictions,
        IReadOnlyList<ModelSummary> models, ReliabilitySummary reliability, Explanation relA, Explanation relB)
    {
        var info = new ModelInfo("figures", plotSet.Channels, plotSet.Height, plotSet.Width, plotSet.ClassNames);
        var files = new Dictionary<string, string>();
        var rowNames = Enumerable.Range(0, plotSet.Count).Select(i => $"test #{i}, label {plotSet.ClassNames[plotSet.Labels[i]]}").ToArray();
        ExplanationFigures.WriteImagePlot(layout.Figure("shap_image_plot.png"), plotSet.Pixels, plotExplanation, probs, info, rowNames, 0);
        files["imagePlot"] = "figures/shap_image_plot.png";
        ExplanationFigures.WriteForcePlot(layout.Figure("force_plot.html"), layout.Figure("force_plot.svg"), plotSet.Pixels, plotExplanation, info, 0, predictions[0]);
        files["forcePlot"] = "figures/force_plot.html";
        files["forcePlotSvg"] = "figures/force_plot.svg";
        DemoCharts.TrainingHistory(layout.Figure("training_history.png"), models.Select(m => ($"model {m.Name}", m.History)).ToList());
        files["trainingHistory"] = "figures/training_history.png";
        DemoCharts.Deletion(layout.Figure("deletion_curves.png"), [("model A", reliability.DeletionModelA), ("model B", reliability.DeletionModelB)]);
        files["deletionCurves"] = "figures/deletion_curves.png";
        DemoCharts.AdditivityErrors(layout.Figure("additivity_errors.png"),
            [("plot, model A", plotExplanation.AdditivityErrors!), ("validation, model A", relA.AdditivityErrors!), ("validation, model B", relB.AdditivityErrors!)],
            plotExplanation.AdditivityTolerance);
        files["additivityErrors"] = "figures/additivity_errors.png";
        return files;
    }
}

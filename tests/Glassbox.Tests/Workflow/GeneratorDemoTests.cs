using System.Text;
using System.Text.Json;
using Glassbox.App;
using Glassbox.App.Generation.Explain;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.Models;
using Glassbox.Tests.Data;
using Glassbox.Tests.IO;
using Glassbox.Tests.Training;
using TorchSharp;

namespace Glassbox.Tests.Workflow;

/// <summary>The generator stage of <c>glassbox demo --generator</c> on tiny settings: files, metric rows, report section.</summary>
[Collection(SerialCollection.Name)]
public class GeneratorDemoTests
{
    [Fact]
    public void GeneratorStage_WritesCheckpointsGridsEvaluations_AndTheReportSection()
    {
        using var dir = new TempDirectory();
        var train = SampleData.Train.Take(192);
        var test = SampleData.Test.Take(64);
        var info = new ModelInfo(Architecture.ReferenceCnn, 1, 28, 28, MnistFormat.DigitClassNames);
        var data = new DemoData(train, test, train, test, info);
        var layout = new OutputLayout(dir.File("run"));
        layout.Create();
        torch.manual_seed(4);
        using var classifier = new ImageClassifier(info);
        Checkpoint.Save(layout.ModelA, classifier);
        var options = new DemoOptions(DataFolder: RepoPaths.MnistSample, OutputFolder: layout.Root, Seed: 2);
        var generator = new DemoGeneratorOptions(VaeEpochs: 1, DcganEpochs: 1, BatchSize: 64, VaeLatent: 4, EvaluateCount: 24, ClassifiedSamples: 40, ExplainCount: 2);

        var summary = new DemoGenerator(options, generator).Run(layout, data, classifier, layout.ModelA);

        Assert.Equal(["VAE", "DCGAN"], summary.Models.Select(m => m.Name));
        foreach (var m in summary.Models)
        {
            foreach (string f in new[] { m.LossCurves, m.SamplesByClass, m.Evaluation + "evaluate-generator.json", m.Checkpoint + "model.safetensors", m.Checkpoint + "model.json" })
                Assert.True(File.Exists(Path.Combine(layout.Root, f)), f);
            Assert.Equal(["fd", "kid", "precision", "recall", "density", "coverage", "inception-score"], m.Metrics.Select(r => r.Metric));
            Assert.All(m.Metrics, r => Assert.True(double.IsFinite(r.Generated) && double.IsFinite(r.Floor), r.Metric));
            // The floor compares real with real: its FD is below that of a generator trained for one epoch.
            Assert.True(m.Metrics[0].Floor < m.Metrics[0].Generated, $"{m.Name}: floor {m.Metrics[0].Floor} vs {m.Metrics[0].Generated}");
            Assert.Equal(40, m.PredictedClassCounts.Sum());
            Assert.Equal(10, m.PredictedClassCounts.Length);
            Assert.Equal(1, m.Epochs);
        }
        // Model A's reference CNN has 64·24·24 flattened features; the metrics use their spatial average (64).
        var features = Glassbox.IO.NpyFile.ReadFloat32(Path.Combine(layout.Root, summary.Models[0].Evaluation, "generated_features.npy"), out int[] shape);
        Assert.Equal([24, 64], shape);
        Assert.All(features, v => Assert.True(float.IsFinite(v)));
        Assert.NotNull(summary.Models[0].KlPerDimension);
        Assert.Equal(4, summary.Models[0].FinalKlPerDimension!.Length);
        Assert.Null(summary.Models[1].KlPerDimension);

        // Every demo kind ran without a refusal, each with its figures on disk.
        Assert.Equal(["traversals", "directions", "counterfactual"], summary.Explanations.Select(e => e.What));
        foreach (var e in summary.Explanations)
        {
            Assert.Null(e.Error);
            Assert.NotEmpty(e.Figures);
            Assert.All(e.Figures, f => Assert.True(File.Exists(Path.Combine(layout.Root, f.File)), f.File));
        }

        // metrics.json round trip and the report section.
        var back = JsonSerializer.Deserialize<GeneratorDemoSummary>(JsonSerializer.Serialize(summary, AppJson.Options), AppJson.Options)!;
        Assert.Equal(summary.Models[1].Metrics.Select(r => r.Generated), back.Models[1].Metrics.Select(r => r.Generated));
        var html = new StringBuilder();
        GeneratorReport.Append(html, layout, back, MnistFormat.DigitClassNames);
        string report = html.ToString();
        Assert.Contains("<h2>Generators</h2>", report);
        Assert.Contains("Real-vs-real floor", report);
        foreach (var metric in new[] { "fd", "kid", "precision", "recall", "density", "coverage", "inception-score" })
            Assert.Contains($"<td>{metric} (", report);
        // Two sample grids, two loss charts and the VAE's KL chart, embedded.
        Assert.True(CountOf(report, "<img ") >= 5, report);
        Assert.Contains("sorted by model A&#39;s prediction", report);
    }

    [Fact]
    public void GeneratorOptions_OutOfRange_AreRefusedBeforeAnyTraining()
    {
        var e = Assert.Throws<GlassboxException>(() => new DemoGeneratorOptions(EvaluateCount: 3).Validate());
        Assert.Contains("at least 10", e.Message);
        Assert.Throws<GlassboxException>(() => new DemoGeneratorOptions(VaeEpochs: 0).Validate());
    }

    private static int CountOf(string s, string what)
    {
        int n = 0;
        for (int i = s.IndexOf(what, StringComparison.Ordinal); i >= 0; i = s.IndexOf(what, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }
}

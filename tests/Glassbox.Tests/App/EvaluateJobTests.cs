using System.Globalization;
using System.Text.Json;
using Glassbox.App;
using Glassbox.IO;
using Glassbox.Metrics;
using Glassbox.Tests.IO;
using Glassbox.Tests.Training;
using static Glassbox.Tests.App.EvaluateTestSupport;

namespace Glassbox.Tests.App;

public class EvaluateJobTests
{
    private static JsonElement Json(string path) => JsonDocument.Parse(File.ReadAllBytes(path)).RootElement;

    private static double Num(JsonElement e) => e.ValueKind == JsonValueKind.String ? double.Parse(e.GetString()!, CultureInfo.InvariantCulture) : e.GetDouble();

    [Fact]
    public void Evaluate_WritesEveryPair_WithMeansInsideTheirIntervals_AndRanksByDirection()
    {
        using var dir = new TempDirectory();
        string output = dir.File("eval");
        var report = EvaluateJob.Run(Request(Checkpoint(dir), output));

        var json = Json(Path.Combine(output, "evaluation.json"));
        Assert.Equal(6, json.GetProperty("settings").GetProperty("images").GetInt32());
        var rows = json.GetProperty("rows").EnumerateArray().ToList();
        Assert.Equal(2 * 3, rows.Count); // 2 methods × (deletion, completeness, sparseness); the pairwise metric is reported apart
        foreach (var row in rows)
        {
            var scores = row.GetProperty("scores").EnumerateArray().Select(Num).ToArray();
            Assert.Equal(6, scores.Length);
            double mean = Num(row.GetProperty("mean"));
            Assert.Equal(scores.Where(double.IsFinite).Average(), mean, 9);
            double lo = Num(row.GetProperty("ciLow")), hi = Num(row.GetProperty("ciHigh"));
            Assert.True(lo <= mean && mean <= hi, $"{row.GetProperty("method")} {row.GetProperty("metric")}: {mean} outside [{lo}, {hi}]");
            Assert.True(lo >= scores.Min() - 1e-12 && hi <= scores.Max() + 1e-12);
            Assert.Equal(JsonValueKind.Null, row.GetProperty("skipped").ValueKind);
            Assert.InRange(row.GetProperty("rank").GetInt32(), 1, 2);
        }
        foreach (var metric in new[] { "deletion", "completeness", "sparseness" })
        {
            var pair = report.Rows.Where(r => r.Metric == metric).ToList();
            var best = pair.Single(r => r.Rank == 1);
            var other = pair.Single(r => r != best);
            if (best.HigherIsBetter) Assert.True(best.Mean >= other.Mean, metric);
            else Assert.True(best.Mean <= other.Mean, metric);
        }
        Assert.False(report.Rows.Single(r => r.Metric == "deletion" && r.Method == "saliency").HigherIsBetter);
        Assert.True(report.Rows.Single(r => r.Metric == "sparseness" && r.Method == "saliency").HigherIsBetter);

        var agreement = Assert.Single(report.Agreement);
        Assert.Equal("saliency vs integrated-gradients", agreement.Method);
        Assert.Equal("spearman-rank-correlation", agreement.Metric);
        Assert.Equal(6, agreement.Scores.Length);

        // The CSV holds the same numbers, one row per (method, metric) plus the pair.
        var lines = File.ReadAllLines(Path.Combine(output, "evaluation.csv"));
        Assert.Equal("method,metric,category,higher_is_better,mean,ci_low,ci_high,n,rank,seconds,skipped", lines[0]);
        Assert.Equal(1 + 6 + 1, lines.Length);
        foreach (var r in report.Rows)
        {
            var cells = lines.Single(l => l.StartsWith($"{r.Method},{r.Metric},", StringComparison.Ordinal)).Split(',');
            Assert.Equal(r.Mean, double.Parse(cells[4], CultureInfo.InvariantCulture), 12);
            Assert.Equal(r.CiLow, double.Parse(cells[5], CultureInfo.InvariantCulture), 12);
            Assert.Equal(r.Rank!.Value, int.Parse(cells[8], CultureInfo.InvariantCulture));
        }

        // Figures and the page: per-metric bars, deletion curves, everything embedded from the folder itself.
        foreach (var name in new[] { "metric_deletion.png", "metric_completeness.png", "metric_sparseness.png", "curves_deletion.png" })
            Assert.True(new FileInfo(Path.Combine(output, "figures", name)).Length > 2000, name);
        string html = File.ReadAllText(Path.Combine(output, "evaluation.html"));
        Assert.Contains("Ranking per metric", html);
        Assert.Equal(4, html.Split("src=\"data:image/png;base64,").Length - 1);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.True(File.Exists(Path.Combine(output, "results", "saliency.json")));
        Assert.Equal([6, 1, 1, 28, 28], NpyFile.Read(Path.Combine(output, "results", "saliency.npy")).Shape);
    }

    [Fact]
    public void Evaluate_TheSameSeed_GivesTheSameIntervals_AndTargetsArePredictedClasses()
    {
        using var dir = new TempDirectory();
        string ckpt = Checkpoint(dir);
        var a = EvaluateJob.Run(Request(ckpt, dir.File("a"), methods: "saliency", metrics: "sparseness"));
        var b = EvaluateJob.Run(Request(ckpt, dir.File("b"), methods: "saliency", metrics: "sparseness"));
        Assert.Equal(a.Rows[0].CiLow, b.Rows[0].CiLow);
        Assert.Equal(a.Rows[0].CiHigh, b.Rows[0].CiHigh);
        Assert.True(a.Rows[0].CiLow < a.Rows[0].CiHigh);
        Assert.Equal("predicted", a.Settings.Targets);
    }

    [Fact]
    public void Evaluate_RecordsWhatCannotRun_WithTheReason_AndRunsTheRest()
    {
        using var dir = new TempDirectory();
        string data = SmallData(dir);
        // mixed_cnn.onnx runs under ONNX Runtime: a black box without gradients.
        var request = new EvaluateRequest(Fixture("mixed_cnn.onnx"), data, dir.File("eval"), ["saliency", "feature-ablation"],
            "sparseness,deletion,gradient-norm,mask-mass", Images: 4, Bootstrap: 50);
        var report = EvaluateJob.Run(request, metrics: CatalogWithStandIns());

        var saliency = report.Methods.Single(m => m.Method == "saliency");
        Assert.Contains("gradients", saliency.Skipped);
        Assert.All(report.Rows.Where(r => r.Method == "saliency"), r => Assert.Contains("saliency cannot run on this model", r.Skipped));
        var ablation = report.Rows.Where(r => r.Method == "feature-ablation").ToDictionary(r => r.Metric);
        Assert.Null(ablation["sparseness"].Skipped);
        Assert.Null(ablation["deletion"].Skipped);
        Assert.Equal(4, ablation["deletion"].Scores.Length);
        Assert.Contains("needs gradients", ablation["gradient-norm"].Skipped);
        Assert.Contains("evidence-masks.npy", ablation["mask-mass"].Skipped);
        Assert.Empty(ablation["mask-mass"].Scores);
        Assert.Null(ablation["mask-mass"].Rank);
        string csv = File.ReadAllText(Path.Combine(dir.File("eval"), "evaluation.csv"));
        Assert.Contains("needs ground-truth evidence masks", csv);
    }

    [Fact]
    public void Evaluate_LocalisationMetrics_ReadTheMasksOfTheDataFolder()
    {
        using var dir = new TempDirectory();
        string data = SmallData(dir, masks: true);
        var request = new EvaluateRequest(Fixture("small_cnn.json"), data, dir.File("eval"), ["saliency"], "mask-mass", Images: 5, Bootstrap: 50);
        var report = EvaluateJob.Run(request, metrics: CatalogWithStandIns());
        var row = Assert.Single(report.Rows);
        Assert.Null(row.Skipped);
        Assert.Equal(5, row.Scores.Length);
        Assert.All(row.Scores, s => Assert.InRange(s, 0, 1));
        Assert.True(report.Settings.EvidenceMasks);

        // Masks that do not fit the images are a clear error.
        NpyFile.Write(Path.Combine(data, EvaluationInputs.MasksFileName), new byte[8 * 49], [8, 7, 7]);
        var e = Assert.Throws<GlassboxException>(() => EvaluateJob.Run(request with { OutputFolder = dir.File("eval2") }, metrics: CatalogWithStandIns()));
        Assert.Contains("evidence-masks.npy", e.Message);
        Assert.Contains("N×8×8 uint8", e.Message);
    }

    [Fact]
    public void Evaluate_Interrupted_ResumesWithOnlyTheMethodsNotYetDone()
    {
        using var dir = new TempDirectory();
        string ckpt = Checkpoint(dir), output = dir.File("eval");
        var catalog = CatalogWithStandIns();
        var request = Request(ckpt, output, methods: "saliency,integrated-gradients", metrics: "sparseness,sampled,reexplained");
        using var cts = new CancellationTokenSource();
        var first = new RecordingObserver(cts);
        Assert.ThrowsAny<OperationCanceledException>(() => EvaluateJob.Run(request, first, cts.Token, metrics: catalog));
        Assert.Equal(["saliency"], first.Finished);
        string saved = Path.Combine(output, "results", "saliency.json");
        Assert.True(File.Exists(saved));
        Assert.False(File.Exists(Path.Combine(output, "results", "integrated-gradients.json")));
        Assert.False(File.Exists(Path.Combine(output, "evaluation.json")));
        var stamp = File.GetLastWriteTimeUtc(saved);
        var reexplained = (ReexplainedCorrelation)catalog.Get("reexplained").Metric;
        Assert.Equal(1, reexplained.Calls);

        var second = new RecordingObserver();
        var report = EvaluateJob.Run(request, second, metrics: catalog);
        Assert.Equal(["integrated-gradients"], second.Finished);
        Assert.Equal(["integrated-gradients"], report.Computed);
        Assert.Equal(2, reexplained.Calls); // once per method over both runs
        Assert.True(report.Methods.Single(m => m.Method == "saliency").Resumed);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(saved));
        Assert.Equal(6, report.Rows.Count);
        Assert.All(report.Rows, r => Assert.Equal(6, r.Scores.Length));
        Assert.Equal(1.0, report.Rows.Single(r => r.Method == "saliency" && r.Metric == "reexplained").Mean, 9); // saliency is deterministic

        // Other settings (another metric option) do not reuse the results, and the options are recorded.
        var third = new RecordingObserver();
        var again = EvaluateJob.Run(request with { MetricOptions = ["sampled.nr-samples=3"] }, third, metrics: catalog);
        Assert.Equal(["saliency", "integrated-gradients"], third.Finished);
        Assert.Equal("3", again.Settings.MetricOptions["sampled"]["nr-samples"]);
        Assert.Equal(3, again.Rows.Single(r => r.Method == "saliency" && r.Metric == "sampled").Mean);
        var json = Json(Path.Combine(output, "evaluation.json"));
        Assert.Equal("3", json.GetProperty("settings").GetProperty("metricOptions").GetProperty("sampled").GetProperty("nr-samples").GetString());
    }

    [Fact]
    public void Evaluate_ExternalAttributions_AreScored_AndReexplainingMetricsSkipWithTheReason()
    {
        using var dir = new TempDirectory();
        string ckpt = Checkpoint(dir);
        var rng = new Random(5);
        var maps = new float[4 * 784];
        for (int i = 0; i < maps.Length; i++) maps[i] = (float)(rng.NextDouble() - 0.5);
        string file = dir.File("captum.npy");
        NpyFile.Write(file, maps, [4, 1, 28, 28]);
        var request = new EvaluateRequest(ckpt, Glassbox.Tests.Data.RepoPaths.MnistSample, dir.File("eval"), [], "sparseness,completeness,reexplained",
            Images: 200, Bootstrap: 100, Attributions: file, Targets: "1,2,3,4");
        var report = EvaluateJob.Run(request, metrics: CatalogWithStandIns());
        Assert.Equal(4, report.Settings.Images); // the file's N, whatever -n says
        var rows = report.Rows.ToDictionary(r => r.Metric);
        Assert.All(rows.Values, r => Assert.Equal("external", r.Method));
        Assert.Equal(4, rows["sparseness"].Scores.Length);
        Assert.All(rows["completeness"].Scores, s => Assert.True(double.IsFinite(s)));
        Assert.Contains("cannot be recomputed", rows["reexplained"].Skipped);
        Assert.Equal([4, 1, 1, 28, 28], NpyFile.Read(Path.Combine(dir.File("eval"), "results", "external.npy")).Shape);

        // N×K×C×H×W with a .npy of N×K targets.
        NpyFile.Write(file, maps.Concat(maps).ToArray(), [4, 2, 1, 28, 28]);
        string targets = dir.File("targets.npy");
        NpyFile.Write(targets, new long[] { 0, 1, 2, 3, 4, 5, 6, 7 }, [4, 2]);
        var two = EvaluateJob.Run(request with { OutputFolder = dir.File("eval2"), Targets = targets, Metrics = "sparseness" });
        Assert.Equal(8, Assert.Single(two.Rows).Scores.Length);
    }

    [Theory]
    [InlineData("shape")]
    [InlineData("nan")]
    [InlineData("targets")]
    public void Evaluate_BadAttributions_AreOneClearError(string what)
    {
        using var dir = new TempDirectory();
        string ckpt = Checkpoint(dir), file = dir.File("a.npy");
        var maps = new float[3 * 784];
        if (what == "nan") maps[800] = float.NaN;
        NpyFile.Write(file, maps, what == "shape" ? [3, 1, 28, 28, 1] : [3, 1, 28, 28]);
        var request = new EvaluateRequest(ckpt, Glassbox.Tests.Data.RepoPaths.MnistSample, dir.File("eval"), [], "sparseness",
            Attributions: file, Targets: what == "targets" ? "1,2" : null);
        var e = Assert.Throws<GlassboxException>(() => EvaluateJob.Run(request));
        Assert.Contains(what switch { "shape" => "must be N×K×1×28×28 or N×1×28×28", "nan" => "must be finite", _ => "lists 2 classes for 3 images" }, e.Message);
        if (what == "nan") Assert.Contains("map 1", e.Message);
        Assert.False(File.Exists(Path.Combine(dir.File("eval"), "evaluation.json")));
    }

    [Theory]
    [InlineData("metrics", "deletion,shapeliness", "Unknown metric 'shapeliness'")]
    [InlineData("methods", "saliency,magic", "Unknown method 'magic'")]
    [InlineData("methods", "saliency,saliency", "lists 'saliency' twice")]
    [InlineData("option", "sampled.nr-samplez=3", "has no option 'nr-samplez'. Its options: nr-samples")]
    [InlineData("option", "sampled.nr-samples=many", "--metric-option for sampled")]
    [InlineData("option", "sampled.nr-samples=0", "--metric-option for sampled")]
    [InlineData("option", "sparseness.absolute=true", "not among the selected metrics")]
    [InlineData("option", "steps=3", "must look like metric.flag=value")]
    [InlineData("images", "0", "-n/--images must be at least 1")]
    [InlineData("bootstrap", "-1", "--bootstrap must be 0")]
    public void Evaluate_BadArguments_AreOneClearError(string field, string value, string message)
    {
        using var dir = new TempDirectory();
        var r = Request(Checkpoint(dir), dir.File("eval"), metrics: "deletion,sampled");
        r = field switch
        {
            "metrics" => r with { Metrics = value },
            "methods" => r with { Methods = value.Split(',') },
            "option" => r with { MetricOptions = [value] },
            "images" => r with { Images = int.Parse(value, CultureInfo.InvariantCulture) },
            _ => r with { Bootstrap = int.Parse(value, CultureInfo.InvariantCulture) },
        };
        var e = Assert.Throws<GlassboxException>(() => EvaluateJob.Run(r, metrics: CatalogWithStandIns()));
        Assert.Contains(message, e.Message);
        Assert.False(Directory.Exists(Path.Combine(dir.File("eval"), "results")));
    }

    [Fact]
    public void Evaluate_RandomisationCascade_IsDrawn_AsMapsPerStepAndASimilarityCurve()
    {
        using var dir = new TempDirectory();
        string output = dir.File("eval");
        var report = EvaluateJob.Run(Request(Checkpoint(dir), output, methods: "saliency,input-x-gradient", metrics: "cascade", images: 3),
            metrics: CatalogWithStandIns());
        Assert.All(report.Rows, r => Assert.Equal(0.1, r.Mean, 9));
        Assert.Equal("figures/cascade_cascade.png", report.Files["cascade:cascade"]);
        foreach (var name in new[] { "cascade_cascade.png", "cascade_cascade_saliency.png", "cascade_cascade_input-x-gradient.png" })
            Assert.True(new FileInfo(Path.Combine(output, "figures", name)).Length > 2000, name);
        var stored = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, "results", "saliency.json"))).RootElement
            .GetProperty("metrics")[0].GetProperty("cascade");
        Assert.Equal(["original", "fc2", "fc1", "conv2"], stored.GetProperty("steps").EnumerateArray().Select(e => e.GetString()!).ToArray());
        Assert.Equal([1, 0.7, 0.4, 0.1], stored.GetProperty("meanSimilarity").EnumerateArray().Select(e => Math.Round(e.GetDouble(), 9)).ToArray());
        string html = File.ReadAllText(Path.Combine(output, "evaluation.html"));
        Assert.Contains("the first image&#39;s map at each randomisation step", html);
        Assert.Equal(1 + 1 + 2, html.Split("src=\"data:image/png;base64,").Length - 1); // bars, similarity curve, two methods' maps
    }

    [Fact]
    public void Evaluate_Page_EscapesPathsAndReasons()
    {
        using var dir = new TempDirectory();
        string data = SmallData(dir);
        string odd = dir.File("d<script>alert(1)&x");
        Directory.Move(data, odd);
        var request = new EvaluateRequest(Fixture("mixed_cnn.onnx"), odd, dir.File("eval"), ["saliency", "feature-ablation"], "sparseness",
            Images: 2, Bootstrap: 20);
        EvaluateJob.Run(request);
        string html = File.ReadAllText(Path.Combine(dir.File("eval"), "evaluation.html"));
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("d&lt;script&gt;alert(1)&amp;x", html);
        Assert.Contains("saliency", html);
    }

    [Fact]
    public void EvaluationBenchmark_TimesEveryPair_AndReportsPeakMemory()
    {
        var result = EvaluationBenchmark.Run(Glassbox.Tests.Data.RepoPaths.MnistSample, "saliency,input-x-gradient", "sparseness,top-fraction-overlap", images: 2);
        Assert.Equal(2, result.Images);
        Assert.Equal(["saliency", "saliency", "input-x-gradient", "input-x-gradient", "saliency vs input-x-gradient"], result.Timings.Select(t => t.Method).ToArray());
        Assert.Equal(["(explain)", "sparseness", "(explain)", "sparseness", "top-fraction-overlap"], result.Timings.Select(t => t.Metric).ToArray());
        Assert.All(result.Timings, t => Assert.True(t.Seconds >= 0 && t.Skipped is null));
        Assert.True(result.PeakRssMegabytes > 50);
        Assert.True(result.Seconds >= result.Timings.Sum(t => t.Seconds) * 0.5);
    }

    [Fact]
    public void Evaluate_RefusesAFolderHoldingOtherFiles()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.File("eval"));
        File.WriteAllText(Path.Combine(dir.File("eval"), "thesis.tex"), "keep me");
        var e = Assert.Throws<GlassboxException>(() => EvaluateJob.Run(Request(Checkpoint(dir), dir.File("eval"), metrics: "sparseness")));
        Assert.Contains("thesis.tex", e.Message);
        Assert.True(File.Exists(Path.Combine(dir.File("eval"), "thesis.tex")));
    }

    [Fact]
    public void MetricCost_OnePassPerPixelMetricsAreSlow_WithTheirPassCountAsTheReason()
    {
        var catalog = MetricCatalog.Default;
        foreach (string slow in new[] { "pixel-flipping", "monotonicity", "non-sensitivity" })
        {
            Assert.Equal(MetricCostClass.Slow, MetricCost.Of(catalog.Get(slow)));
            Assert.Equal("features-in-step 1: 784 forward passes per map on 28×28, C·H·W/1 in general; fast: at most 100",
                MetricCost.SlowBecause(catalog.Get(slow)));
        }
        foreach (string reexplaining in new[] { "max-sensitivity", "avg-sensitivity" })
            Assert.Equal("n-perturb-samples 10: explains every map 10 more times; fast: at most 5", MetricCost.SlowBecause(catalog.Get(reexplaining)));
        foreach (string fast in new[] { "road", "irof", "faithfulness-correlation", "model-parameter-randomisation", "random-logit", "deletion", "sparseness" })
            Assert.Null(MetricCost.SlowBecause(catalog.Get(fast)));
        var leftOut = MetricSelection.LeftOutByFast(catalog);
        var chosen = MetricSelection.Parse("fast", catalog).Select(e => e.Name).ToHashSet();
        Assert.Equal(catalog.Entries.Count, leftOut.Count + chosen.Count);
        Assert.All(leftOut, x => Assert.DoesNotContain(x.Name, chosen));
        Assert.Contains(leftOut, x => x.Name == "monotonicity");
    }

    [Fact]
    public void MetricSelection_FastLeavesOutSlowMetrics_AndCategoriesSelectTheirMetrics()
    {
        var catalog = CatalogWithStandIns();
        Assert.Equal(MetricCostClass.Slow, MetricCost.Of(catalog.Get("sampled")));
        Assert.Equal(MetricCostClass.Fast, MetricCost.Of(catalog.Get("deletion")));
        var fast = MetricSelection.Parse("fast", catalog).Select(e => e.Name).ToList();
        Assert.DoesNotContain("sampled", fast);
        Assert.Contains("deletion", fast);
        Assert.Contains("sampled", MetricSelection.Parse("all", catalog).Select(e => e.Name));
        var complexity = catalog.Entries.Where(e => e.Category == MetricCategory.Complexity).Select(e => e.Name).ToArray();
        Assert.Contains("sparseness", complexity);
        Assert.Equal(complexity, MetricSelection.Parse("complexity", catalog).Select(e => e.Name));
        Assert.Equal(["deletion", .. complexity], MetricSelection.Parse("deletion,Complexity,deletion", catalog).Select(e => e.Name));
        Assert.Equal(["spearman-rank-correlation", "top-fraction-overlap"], MetricSelection.Parse("agreement", catalog).Select(e => e.Name));
        Assert.Contains("Unknown metric 'speed'", Assert.Throws<GlassboxException>(() => MetricSelection.Parse("speed", catalog)).Message);
    }

    [Fact]
    public void BootstrapInterval_ContainsTheMean_NarrowsWithMoreData_AndIsSeeded()
    {
        var rng = new Random(1);
        var small = Enumerable.Range(0, 20).Select(_ => rng.NextDouble()).ToArray();
        var large = Enumerable.Range(0, 2000).Select(_ => rng.NextDouble()).ToArray();
        var a = BootstrapInterval.Of(small, 1000, 7);
        var b = BootstrapInterval.Of(large, 1000, 7);
        Assert.True(a.Low < a.Mean && a.Mean < a.High);
        Assert.True(b.High - b.Low < (a.High - a.Low) / 4);
        Assert.Equal(a, BootstrapInterval.Of(small, 1000, 7));
        Assert.NotEqual(a.Low, BootstrapInterval.Of(small, 1000, 8).Low);
        var withNaN = BootstrapInterval.Of([1, double.NaN, 3], 100, 1);
        Assert.Equal(2, withNaN.Mean);
        Assert.Equal(2, withNaN.Count);
        var none = BootstrapInterval.Of(small, 0, 1);
        Assert.True(double.IsNaN(none.Low));
        Assert.Equal(small.Average(), none.Mean, 12);
    }

    [Fact]
    public void Rank_SharesRanksOnTies_AndLeavesSkippedPairsUnranked()
    {
        EvaluationRow R(string method, double mean, bool higher, string? skipped = null)
            => new(method, "m", "faithfulness", higher, [mean], mean, mean, mean, 1, null, 0, skipped);
        var lower = EvaluateJob.Rank([R("a", 0.3, false), R("b", 0.1, false), R("c", 0.3, false), R("d", double.NaN, false, "no")]);
        Assert.Equal([2, 1, 2, (int?)null], lower.Select(r => r.Rank).ToArray());
        var higher = EvaluateJob.Rank([R("a", 0.3, true), R("b", 0.1, true)]);
        Assert.Equal([1, 2], higher.Select(r => r.Rank!.Value).ToArray());
    }
}

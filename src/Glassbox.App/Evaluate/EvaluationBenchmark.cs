using System.Diagnostics;
using Glassbox.Benchmarking;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.Engine;
using Glassbox.Models;

namespace Glassbox.App;

/// <summary>Time of one (method, metric) pair in <see cref="EvaluationBenchmark"/>; metric "(explain)" is the method itself.</summary>
public sealed record EvaluationTiming(string Method, string Metric, double Seconds, string? Skipped);

/// <summary>What <see cref="EvaluationBenchmark"/> measured.</summary>
/// <param name="Images">Images scored.</param>
/// <param name="Seconds">Wall time of the whole evaluation (loading, explaining, scoring, writing).</param>
/// <param name="PeakRssMegabytes">The process's resident-memory high-water mark after the run (VmHWM).</param>
/// <param name="Timings">Per (method, metric).</param>
public sealed record EvaluationBenchmarkResult(int Images, double Seconds, double PeakRssMegabytes, IReadOnlyList<EvaluationTiming> Timings);

/// <summary>
/// Runs <c>glassbox evaluate</c> on the shipped sample's first test images with a reference CNN of fresh weights (time and
/// memory do not depend on their values) into a temporary folder, and reports seconds per (method, metric) and peak memory.
/// </summary>
public static class EvaluationBenchmark
{
    /// <summary>The methods timed unless others are named: five families' representatives.</summary>
    public const string DefaultMethods = "saliency,integrated-gradients,deep-lift,grad-cam,occlusion";

    /// <summary>Evaluates <paramref name="methods"/> with <paramref name="metrics"/> on <paramref name="images"/> images of <paramref name="dataFolder"/>.</summary>
    public static EvaluationBenchmarkResult Run(string dataFolder, string methods = DefaultMethods, string metrics = "fast",
        int images = EvaluateRequest.DefaultImages, int threads = 0, IRunObserver? observer = null)
    {
        var ctx = TorchContext.Create("cpu", threads, 0);
        string root = Path.Combine(Path.GetTempPath(), "glassbox-evaluate-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            var test = MnistFormat.LoadFolder(dataFolder, "test");
            var info = new ModelInfo(Architecture.ReferenceCnn, test.Channels, test.Height, test.Width, test.ClassNames);
            string checkpoint = Path.Combine(root, "model");
            using (var model = new ImageClassifier(info, ctx.Device)) Checkpoint.Save(checkpoint, model);
            var clock = Stopwatch.StartNew();
            var report = EvaluateJob.Run(new EvaluateRequest(checkpoint, dataFolder, Path.Combine(root, "out"),
                methods.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), metrics, images, Threads: threads), observer);
            double seconds = clock.Elapsed.TotalSeconds;
            var timings = new List<EvaluationTiming>();
            foreach (var m in report.Methods)
            {
                timings.Add(new EvaluationTiming(m.Method, "(explain)", m.ExplainSeconds, m.Skipped));
                timings.AddRange(report.Rows.Where(r => r.Method == m.Method).Select(r => new EvaluationTiming(r.Method, r.Metric, r.Seconds, r.Skipped)));
            }
            timings.AddRange(report.Agreement.Select(r => new EvaluationTiming(r.Method, r.Metric, r.Seconds, r.Skipped)));
            return new EvaluationBenchmarkResult(report.Settings.Images, seconds, ThroughputBenchmark.PeakRssMegabytes(), timings);
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }
}

using System.Diagnostics;
using Glassbox.Benchmarking;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.Engine;
using Glassbox.IO;
using Glassbox.Models;

namespace Glassbox.App;

/// <summary>One size of <see cref="StreamingBenchmark"/>: images explained, time, throughput and the process's peak memory after the run.</summary>
/// <param name="Images">Images explained.</param>
/// <param name="Seconds">Wall time of the explain run (loading, explaining, writing).</param>
/// <param name="ImagesPerSecond">Images / seconds.</param>
/// <param name="PeakRssMegabytes">The process's resident-memory high-water mark after the run (VmHWM; it never decreases).</param>
public sealed record StreamingBenchmarkResult(int Images, double Seconds, double ImagesPerSecond, double PeakRssMegabytes);

/// <summary>
/// Runs <c>glassbox explain</c> (the app's <see cref="ExplainJob"/>, chunked and streamed to .npy) on growing numbers of
/// images in one process, smallest first, so a peak memory that stays flat shows that memory does not grow with N.
/// The model is the reference CNN with fresh weights (speed and memory do not depend on their values).
/// </summary>
public static class StreamingBenchmark
{
    /// <summary>Explains each of <paramref name="sizes"/> images (ascending) with <paramref name="method"/> on the shipped sample's test images, repeated as needed.</summary>
    public static IReadOnlyList<StreamingBenchmarkResult> Run(IReadOnlyList<int> sizes, string dataFolder, string method = "saliency", int threads = 0, Action<string>? log = null)
    {
        if (sizes.Count == 0 || sizes.Any(n => n < 1 || n > 1_000_000))
            throw new GlassboxException("Give image counts between 1 and 1000000, e.g. 64,2000.");
        log ??= _ => { };
        var ctx = TorchContext.Create("cpu", threads, 0);
        string root = Path.Combine(Path.GetTempPath(), "glassbox-stream-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            var test = MnistFormat.LoadFolder(dataFolder, "test");
            var info = new ModelInfo(Architecture.ReferenceCnn, test.Channels, test.Height, test.Width, test.ClassNames);
            string checkpoint = Path.Combine(root, "model");
            using (var model = new ImageClassifier(info, ctx.Device)) Checkpoint.Save(checkpoint, model);
            int d = test.Channels * test.Height * test.Width;
            var results = new List<StreamingBenchmarkResult>();
            foreach (int n in sizes.Order())
            {
                // The input is written a block of test images at a time, so making it does not hold N images either.
                string input = Path.Combine(root, $"x{n}.npy");
                using (var writer = new NpyStreamWriter(input, [n, test.Channels, test.Height, test.Width]))
                {
                    for (int i = 0; i < n; i += test.Count)
                        writer.Append(test.Pixels.AsSpan(0, Math.Min(test.Count, n - i) * d));
                    writer.Complete();
                }
                // Each size starts from a collected heap, so its peak is its own and not the leftovers of the size before.
                GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                var clock = Stopwatch.StartNew();
                ExplainJob.Run(new ExplainRequest(checkpoint, input, Path.Combine(root, $"out{n}"), dataFolder, method,
                    Classes: "predicted", Threads: threads));
                double seconds = clock.Elapsed.TotalSeconds;
                var r = new StreamingBenchmarkResult(n, seconds, n / seconds, ThroughputBenchmark.PeakRssMegabytes());
                log($"{n} images: {seconds:F1} s, peak RSS {r.PeakRssMegabytes:F0} MB");
                results.Add(r);
                File.Delete(input);
                Directory.Delete(Path.Combine(root, $"out{n}"), recursive: true);
            }
            return results;
        }
        finally
        {
            try { Directory.Delete(root, recursive: true); } catch (IOException) { }
        }
    }
}

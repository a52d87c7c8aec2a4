using System.Diagnostics;
using Glassbox.Attribution;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.Attribution.Perturbation;
using Glassbox.Data;
using Glassbox.Engine;
using Glassbox.Models;
using Glassbox.Attribution.Catalog;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Benchmarking;

/// <summary>Settings of <see cref="MethodBenchmark"/>.</summary>
/// <param name="Method">Catalog name of the method.</param>
/// <param name="Images">Images explained (the figure: 100 test images).</param>
/// <param name="AllClasses">Explain all 10 classes instead of the predicted one.</param>
/// <param name="MethodOptions">Method options as on the command line (e.g. "--n-steps" → "50").</param>
/// <param name="DataFolder">MNIST-format folder for test images and the background; null uses random images.</param>
/// <param name="BackgroundSize">Baseline images for distribution methods.</param>
/// <param name="Threads">libtorch threads (0 = default).</param>
/// <param name="Architecture">The built-in architecture explained (<see cref="Models.Architecture.Names"/>): the reference CNN, or e.g. the residual <c>resnet-small</c>.</param>
public sealed record MethodBenchmarkOptions(
    string Method, int Images = 100, bool AllClasses = false, IReadOnlyDictionary<string, string>? MethodOptions = null,
    string? DataFolder = null, int BackgroundSize = 100, int Threads = 0, string Architecture = Models.Architecture.ReferenceCnn);

/// <summary>One method's figures.</summary>
/// <param name="Method">Method name.</param>
/// <param name="Malloc">Allocator setting the process ran under.</param>
/// <param name="Images">Images explained.</param>
/// <param name="TargetsPerImage">Classes explained per image.</param>
/// <param name="Seconds">Time of the attribution call.</param>
/// <param name="ImagesPerSecond">Images explained per second.</param>
/// <param name="PassesPerImage">Raw passes the method needs per image (all targets), or NaN when not modelled.</param>
/// <param name="PassKind">"forward+backward" or "forward".</param>
/// <param name="RawSeconds">Measured time of that many raw passes (batched), or NaN.</param>
/// <param name="Ratio">Seconds / RawSeconds, or NaN.</param>
/// <param name="PeakRssMegabytes">Peak resident memory of the process (VmHWM).</param>
/// <param name="InternalBatchSize">The --internal-batch-size / --perturbations-per-eval in effect, or "default".</param>
/// <param name="MaxCheck">Largest additivity error / convergence delta, or NaN.</param>
/// <param name="Architecture">The architecture explained.</param>
public sealed record MethodBenchmarkResult(
    string Method, string Malloc, int Images, int TargetsPerImage, double Seconds, double ImagesPerSecond,
    double PassesPerImage, string PassKind, double RawSeconds, double Ratio, double PeakRssMegabytes, string InternalBatchSize, double MaxCheck,
    string Architecture = Models.Architecture.ReferenceCnn);

/// <summary>
/// Times one attribution method on a built-in architecture (the reference CNN by default; <c>resnet-small</c> for a
/// residual network, whose propagation methods walk its graph of nodes) and compares it with the raw passes it needs (e.g. integrated
/// gradients with 50 steps = 50 forward+backward passes per image and class), measured in the same process at the same
/// batch size. Weights are freshly initialised: speed does not depend on their values.
/// </summary>
public static class MethodBenchmark
{
    private const int RawBatch = 64;

    /// <summary>Runs the benchmark in this process.</summary>
    public static MethodBenchmarkResult Run(MethodBenchmarkOptions o, Action<string>? log = null)
    {
        log ??= _ => { };
        if (o.Images < 1) throw new GlassboxException($"--images must be at least 1, not {o.Images}.");
        var ctx = TorchContext.Create("cpu", o.Threads, 0);
        var malloc = NativeRuntime.EnsureInitialized().Malloc;
        var info = new ModelInfo(o.Architecture, 1, 28, 28, MnistFormat.DigitClassNames);
        using var model = new ImageClassifier(info, ctx.Device);
        foreach (var p in model.Network.parameters()) p.requires_grad = false;
        var entry = MethodCatalog.Default.Get(o.Method);
        var options = o.MethodOptions ?? new Dictionary<string, string>();
        var settings = entry.Bind(options, new OptionContext(info, ctx.Device), OutputSpace.Logits, 0);

        using var scope = torch.NewDisposeScope();
        var (x, background) = Images(o, info);
        if (entry.UsesBaselineDistribution && settings.Baselines is null) settings = settings with { Baselines = Baseline.FromImages(background) };
        var method = settings.Create(model);
        TargetSelection Targets(Tensor images)
        {
            if (o.AllClasses) return TargetSelection.AllClasses;
            using var noGrad = torch.no_grad();
            return TargetSelection.PerInput(model.Forward(images).argmax(1).data<long>().Select(v => (int)v).ToArray());
        }
        var warm = x.narrow(0, 0, Math.Min(2, o.Images));
        method.Attribute(warm, Targets(warm));
        var targets = Targets(x);
        var sw = Stopwatch.StartNew();
        var e = method.Attribute(x, targets);
        double seconds = sw.Elapsed.TotalSeconds;
        int k = e.TargetsPerInput;
        log($"{entry.Name}: {o.Images / seconds:F2} images/s");

        var cost = settings.Cost(info, k, model);
        var (passes, gradient) = (cost.PerImage, cost.Gradient);
        double raw = double.NaN;
        if (double.IsFinite(passes))
        {
            double perImagePass = RawPassSeconds(model, background, gradient);
            raw = passes * o.Images * perImagePass;
        }
        var given = options.ToDictionary(p => p.Key.TrimStart('-'), p => p.Value);
        string batch = given.TryGetValue("internal-batch-size", out var b) ? b
            : given.TryGetValue("perturbations-per-eval", out var pe) ? $"{pe} (perturbations per eval)" : "default";
        return new MethodBenchmarkResult(entry.Name, malloc.Name, o.Images, k, seconds, o.Images / seconds, passes,
            gradient ? "forward+backward" : "forward", raw, seconds / raw, ThroughputBenchmark.PeakRssMegabytes(), batch, e.MaxAdditivityError, o.Architecture);
    }

    /// <summary>Median time of one image's raw pass at batch <see cref="RawBatch"/>: forward+backward to the input, or forward only.</summary>
    private static double RawPassSeconds(IImageModel model, Tensor images, bool gradient)
    {
        var times = new List<double>();
        using var batch = images.narrow(0, 0, Math.Min(RawBatch, images.shape[0])).detach().clone();
        for (int rep = 0; rep < 6; rep++)
        {
            using var scope = torch.NewDisposeScope();
            var sw = Stopwatch.StartNew();
            if (gradient)
            {
                using var enable = torch.enable_grad();
                var xin = batch.detach().clone().requires_grad_(true);
                var y = model.Forward(xin).select(1, rep % 10).sum();
                _ = torch.autograd.grad([y], [xin])[0].sum().item<float>();
            }
            else
            {
                using var noGrad = torch.no_grad();
                _ = model.Forward(batch).sum().item<float>();
            }
            if (rep > 0) times.Add(sw.Elapsed.TotalSeconds / batch.shape[0]);
        }
        return times.Order().ElementAt(times.Count / 2);
    }

    private static (Tensor X, Tensor Background) Images(MethodBenchmarkOptions o, ModelInfo info)
    {
        if (o.DataFolder is { } folder && Directory.Exists(folder))
        {
            var test = MnistFormat.LoadFolder(folder, "test");
            var train = MnistFormat.LoadFolder(folder, "train");
            var xs = test.Subset(Enumerable.Range(0, Math.Min(o.Images, test.Count)).ToArray());
            var bg = train.Subset(Sampling.SampleIndices(train.Count, o.BackgroundSize, 0));
            return (torch.tensor(xs.Pixels, [xs.Count, 1, 28, 28]), torch.tensor(bg.Pixels, [bg.Count, 1, 28, 28]));
        }
        var gen = new Generator(0);
        return (torch.rand([o.Images, 1, 28, 28], generator: gen), torch.rand([o.BackgroundSize, 1, 28, 28], generator: gen));
    }
}

using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;
using Glassbox.Benchmarking;
using Spectre.Console;
using Spectre.Console.Cli;
using Glassbox.Visualization;

namespace Glassbox.Cli.Commands;

internal sealed partial class BenchmarkCommand : Command<BenchmarkCommand.Settings>
{
    public sealed partial class Settings : CommandSettings
    {
        [CommandOption("--arch <NAME>"), Description("reference-cnn (default), pooled-cnn or resnet-small (with --methods: the network whose methods are timed)")]
        public string Arch { get; init; } = Glassbox.Models.Architecture.ReferenceCnn;

        [CommandOption("--images <N>"), Description("Images explained with DeepSHAP. Default: 10")]
        public int Images { get; init; } = 10;

        [CommandOption("--background-size <N>"), Description("Default: 100")]
        public int BackgroundSize { get; init; } = 100;

        [CommandOption("--internal-batch-size <PAIRS>"), Description("DeepSHAP (input, background) pairs per chunk. Default: 200")]
        public int PairsPerChunk { get; init; } = 200;

        [CommandOption("--threads <N>"), Description("libtorch threads (0 = default)")]
        public int Threads { get; init; }

        [CommandOption("--this-process-only"), Description("Measure only under the current allocator setting, print JSON")]
        public bool Single { get; init; }

        [CommandOption("--methods <NAMES>"), Description("Per-method benchmark instead: all, or a comma-separated list of method names (see 'glassbox methods'); 100 test images by default (--images)")]
        public string? Methods { get; init; }

        [CommandOption("--all-classes"), Description("Per-method benchmark: explain all 10 classes instead of the predicted class")]
        public bool AllClasses { get; init; }

        [CommandOption("--stream <SIZES>"), Description("Streaming benchmark instead: explain these numbers of images (e.g. 64,2000) with --methods NAME (default saliency) in one process and print time and peak memory after each; flat memory = independent of N")]
        public string? Stream { get; init; }

        [CommandOption("--evaluate"), Description("Evaluation benchmark instead: glassbox evaluate on the first --images test images (default: evaluate's -n, 100) with --methods (default five families' representatives) and --metrics (default fast); prints seconds per (method, metric) and peak memory")]
        public bool Evaluate { get; init; }

        [CommandOption("--metrics <METRICS>"), Description("Evaluation benchmark: the metrics, as glassbox evaluate --metrics. Default: fast")]
        public string Metrics { get; init; } = "fast";

        [CommandOption("-o|--out <FILE>"), Description("Per-method benchmark: JSON file for the figures. Default: benchmark.json. ROAR: output folder. Default: roar")]
        public string Out { get; init; } = "benchmark.json";

        [CommandOption("--roar"), Description("ROAR benchmark instead (Hooker et al. 2019): per --methods, retrain a model with the top-ranked 10..90 % of pixels removed and compare its accuracy with random removal; writes roar.json, roar.csv, roar.png into -o (default roar). Minutes per method")]
        public bool Roar { get; init; }

        [CommandOption("--roar-images <N>"), Description("ROAR: training images (the first ones). Default: 2000")]
        public int RoarImages { get; init; } = Glassbox.App.RoarRequest.DefaultTrainImages;

        [CommandOption("--roar-test-images <N>"), Description("ROAR: test images (the first ones). Default: 500")]
        public int RoarTestImages { get; init; } = Glassbox.App.RoarRequest.DefaultTestImages;

        [CommandOption("--epochs <N>"), Description("ROAR: epochs of every trained model. Default: 1")]
        public int Epochs { get; init; } = 1;

        [CommandOption("--percentages <LIST>"), Description("ROAR: removal shares in percent, comma-separated. Default: 10,30,50,70,90")]
        public string Percentages { get; init; } = "10,30,50,70,90";

        [CommandOption("--explain-predicted"), Description("ROAR: rank pixels for the predicted class instead of the true label")]
        public bool ExplainPredicted { get; init; }

        [CommandOption("--data <FOLDER>"), Description("ROAR: MNIST-format folder. Default: the shipped sample")]
        public string? Data { get; init; }

        [CommandOption("--generator"), Description("Generator benchmark instead: training samples/s per kind and generation images/s against raw decoder passes (on --images images, default 2000), evaluate-generator seconds and peak memory for --evaluate-sizes generated vs real images")]
        public bool Generator { get; init; }

        [CommandOption("--evaluate-sizes <SIZES>"), Description("Generator benchmark: generated (and real) image counts evaluated, smallest first. Default: 2000,10000")]
        public string EvaluateSizes { get; init; } = "2000,10000";

        [CommandOption("--explain-generator"), Description("Generator-explanation benchmark instead: seconds and peak memory of every explain-generator kind (or --methods KINDS) for --images codes (default 100)")]
        public bool ExplainGenerator { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        Glassbox.App.RunLimits.CheckThreads(s.Threads);
        if (s.Disentanglement) return RunDisentanglement(s, context);
        if (s.Roar) return RunRoar(s, context);
        if (s.Generator) return RunGenerator(s, context);
        if (s.ExplainGenerator) return RunExplainGenerator(s, context);
        if (s.Stream is not null) return RunStream(s);
        if (s.Evaluate) return RunEvaluate(s, context);
        if (s.Methods is not null) return RunMethods(s, context);
        var options = new BenchmarkOptions(s.Arch, s.Images, s.BackgroundSize, PairsPerChunk: s.PairsPerChunk, Threads: s.Threads);
        if (s.Single)
        {
            Console.WriteLine(JsonSerializer.Serialize(ThroughputBenchmark.Run(options)));
            return 0;
        }
        // Each allocator setting needs a fresh process: glibc's behaviour depends on the process's history.
        var results = new List<BenchmarkResult>();
        foreach (string mode in new[] { "tuned", "default" })
        {
            AnsiConsole.MarkupLine($"[grey]measuring with GLASSBOX_MALLOC={mode} ...[/]");
            results.Add(RunChild(mode, s));
        }
        var table = new Table().AddColumns("Figure", $"tuned malloc", "glibc default");
        void Row(string name, Func<BenchmarkResult, string> f) => table.AddRow(name, f(results[0]), f(results[1]));
        Row("allocator", r => r.Malloc);
        Row("threads", r => r.Threads.ToString());
        Row("training samples/s (batch 64)", r => $"{r.TrainSamplesPerSecond:F0}");
        Row($"raw forward+backward, batch {s.BackgroundSize}", r => $"{r.RawPassSeconds * 1000:F1} ms");
        Row($"DeepSHAP images/s ({s.BackgroundSize} bg, 10 classes)", r => $"{r.DeepShapImagesPerSecond:F2}");
        Row("DeepSHAP s/image", r => $"{r.DeepShapSecondsPerImage:F3}");
        Row("ratio to raw passes (10 × batch)", r => $"{r.RatioToRawPasses:F2}");
        Row("peak RSS", r => $"{r.PeakRssMegabytes:F0} MB");
        Row("max additivity error", r => $"{NumberFormat.Scientific(r.MaxAdditivityError)}");
        AnsiConsole.Write(table);
        return 0;
    }

    private static int RunEvaluate(Settings s, CommandContext context)
    {
        bool imagesGiven = context.Arguments.Any(a => a == "--images" || a.StartsWith("--images=", StringComparison.Ordinal));
        int images = imagesGiven ? s.Images : Glassbox.App.EvaluateRequest.DefaultImages;
        var result = ConsoleObserver.Run(obs => Glassbox.App.EvaluationBenchmark.Run(Paths.ShippedSample(), s.Methods ?? Glassbox.App.EvaluationBenchmark.DefaultMethods,
            s.Metrics, images, s.Threads, obs));
        var table = new Table().AddColumns("method", "metric", "seconds", "note");
        foreach (var t in result.Timings)
            table.AddRow(Markup.Escape(t.Method), Markup.Escape(t.Metric), $"{t.Seconds:F2}", Markup.Escape(t.Skipped ?? ""));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"glassbox evaluate on {result.Images} test images of the shipped sample, reference CNN: {result.Seconds:F1} s in all, peak RSS {result.PeakRssMegabytes:F0} MB.");
        return 0;
    }

    private static int RunGenerator(Settings s, CommandContext context)
    {
        bool imagesGiven = context.Arguments.Any(a => a == "--images" || a.StartsWith("--images=", StringComparison.Ordinal));
        int images = imagesGiven ? s.Images : 2000;
        var sizes = s.EvaluateSizes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(t => int.TryParse(t, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int n) ? n
                : throw new CliUsageException($"--evaluate-sizes takes image counts like 2000,10000, not '{s.EvaluateSizes}'.")).ToArray();
        var r = Glassbox.App.GeneratorBenchmark.Run(s.Data ?? Paths.ShippedSample(), images, images, sizes, s.Threads, log: m => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(m)}[/]"));
        var training = new Table().AddColumns("kind", "images", "seconds", "training samples/s");
        foreach (var t in r.Training) training.AddRow(t.Kind, $"{t.Images}", $"{t.Seconds:F2}", $"{t.SamplesPerSecond:F0}");
        AnsiConsole.Write(training);
        var generation = new Table().AddColumns("kind", "images", "generate images/s", "raw decoder images/s", "ratio");
        foreach (var g in r.Generation) generation.AddRow(g.Kind, $"{g.Images}", $"{g.ImagesPerSecond:F0}", $"{g.RawImagesPerSecond:F0}", $"{g.Ratio:F2}");
        AnsiConsole.Write(generation);
        var evaluation = new Table().AddColumns("generated vs real", "features", "feature s", "metric s", "total s", "peak RSS after");
        foreach (var e in r.Evaluation) evaluation.AddRow($"{e.Images} vs {e.Images}", $"{e.FeatureDimensions}", $"{e.FeatureSeconds:F1}", $"{e.MetricSeconds:F1}", $"{e.Seconds:F1}", $"{e.PeakRssMegabytes:F0} MB");
        AnsiConsole.Write(evaluation);
        AnsiConsole.MarkupLine($"One epoch of {images} images, batch 128, per kind; {images} images generated in batches of 256 (ratio = Generate time / Decode time on latents drawn beforehand); evaluation in the reference CNN's pooled features (FD, KID, PRDC, IS, no floor), sizes smallest first in one process, {r.Threads} threads. Fresh weights.");
        return 0;
    }

    private static int RunExplainGenerator(Settings s, CommandContext context)
    {
        bool imagesGiven = context.Arguments.Any(a => a == "--images" || a.StartsWith("--images=", StringComparison.Ordinal));
        var kinds = s.Methods?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var results = Glassbox.App.ExplainGeneratorBenchmark.Run(s.Data ?? Paths.ShippedSample(), imagesGiven ? s.Images : 100, kinds, threads: s.Threads,
            log: m => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(m)}[/]"));
        if (results.Count == 0)
        {
            AnsiConsole.MarkupLine("No generator explanation kinds are in the catalog (GeneratorExplanations.All is empty): nothing to time.");
            return 0;
        }
        var table = new Table().AddColumns("kind", "generator", "n", "seconds", "s per code", "peak RSS after", "note");
        foreach (var t in results)
            table.AddRow(Markup.Escape(t.What), t.Generator, $"{t.Count}", $"{t.Seconds:F1}", $"{t.Seconds / t.Count:F3}", $"{t.PeakRssMegabytes:F0} MB", Markup.Escape(t.Error ?? ""));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine("explain-generator jobs (load, compute, write) in one process on a VAE/DCGAN and a reference CNN trained 1 epoch on 2,000 sample images; default options. The peak is the process's high-water mark, so it only grows down the table.");
        return 0;
    }

    private static int RunRoar(Settings s, CommandContext context)
    {
        if (string.IsNullOrWhiteSpace(s.Methods))
            throw new CliUsageException("--roar needs the methods to compare: --methods saliency,integrated-gradients (see 'glassbox methods').");
        if (s.Stream is not null || s.Evaluate || s.Single)
            throw new CliUsageException("--roar is a benchmark of its own; drop --stream, --evaluate and --this-process-only.");
        if (s.RoarImages < 1) throw new CliUsageException($"--roar-images must be at least 1, not {s.RoarImages}.");
        if (s.RoarTestImages < 1) throw new CliUsageException($"--roar-test-images must be at least 1, not {s.RoarTestImages}.");
        if (s.Epochs < 1) throw new CliUsageException($"--epochs must be at least 1, not {s.Epochs}.");
        var percentages = s.Percentages.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(t => int.TryParse(t, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int p) && p is >= 1 and <= 100 ? p
                : throw new CliUsageException($"--percentages takes whole percentages between 1 and 100 like 10,30,50, not '{s.Percentages}'.")).ToArray();
        if (percentages.Length == 0) throw new CliUsageException("--percentages is empty; give removal shares like 10,30,50,70,90.");
        bool outGiven = context.Arguments.Any(a => a is "-o" or "--out" || a.StartsWith("--out=", StringComparison.Ordinal));
        var request = new Glassbox.App.RoarRequest(
            s.Methods.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries), s.Data ?? Paths.ShippedSample(),
            outGiven ? s.Out : "roar", s.RoarImages, s.RoarTestImages, s.Epochs, percentages, s.Arch, s.ExplainPredicted, 0, s.Threads);
        var report = ConsoleObserver.Run(obs => Glassbox.App.RoarJob.Run(request, obs));
        var curves = report.Curves;
        var table = new Table().AddColumn("method");
        foreach (int p in curves[0].Percents) table.AddColumn(p == 0 ? "0 % (unmodified)" : $"{p} %");
        table.AddColumn("gap to random");
        foreach (var c in curves)
            table.AddRow([Markup.Escape(c.Method), .. c.Accuracy.Select(a => $"{a:P1}"),
                c.Method == Glassbox.App.RoarJob.RandomName ? "-" : $"{c.MeanGapToRandom * 100:+0.0;-0.0;0.0} pts"]);
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"Test accuracy of a {Markup.Escape(ArchitectureName(s.Arch))} retrained on {report.TrainImages} images with the top-ranked pixels removed ({report.TestImages} test images, {s.Epochs} epoch(s)); explained model: {report.ExplainedModelAccuracy:P1}. Gap > 0: accuracy falls faster than random removal. {report.Seconds:F0} s.");
        if (Console.IsOutputRedirected) Console.Out.WriteLine($"warning: {report.Warning}");
        else AnsiConsole.MarkupLine($"[yellow]warning:[/] {Markup.Escape(report.Warning)}");
        AnsiConsole.MarkupLine($"Written to {Markup.Escape(report.Request.OutputFolder)}: roar.json, roar.csv, roar.png.");
        return 0;
    }

    private static int RunStream(Settings s)
    {
        var sizes = s.Stream!.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(t => int.TryParse(t, out int n) ? n : throw new GlassboxException($"--stream takes image counts like 64,2000, not '{s.Stream}'.")).ToArray();
        string method = s.Methods ?? "saliency";
        var results = Glassbox.App.StreamingBenchmark.Run(sizes, Paths.ShippedSample(), method, s.Threads, m => AnsiConsole.MarkupLine($"[grey]{Markup.Escape(m)}[/]"));
        var table = new Table().AddColumns("images", "seconds", "images/s", "peak RSS after the run");
        foreach (var r in results) table.AddRow($"{r.Images}", $"{r.Seconds:F1}", $"{r.ImagesPerSecond:F1}", $"{r.PeakRssMegabytes:F0} MB");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"glassbox explain --method {Markup.Escape(method)} on the shipped test images (repeated), chunks of {Glassbox.App.ExplainRequest.DefaultChunkSize}, in one process, smallest first: the peak only grows if memory depends on the number of images.");
        return 0;
    }

    private static int RunMethods(Settings s, CommandContext context)
    {
        bool imagesGiven = context.Arguments.Any(a => a == "--images" || a.StartsWith("--images=", StringComparison.Ordinal));
        int images = imagesGiven ? s.Images : 100;
        var catalog = Glassbox.Attribution.Catalog.MethodCatalog.Default;
        var names = s.Methods!.Trim().Equals("all", StringComparison.OrdinalIgnoreCase)
            ? catalog.Entries.Select(e => e.Name).ToList()
            : s.Methods.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(n => catalog.Get(n).Name).ToList();
        if (s.Single)
        {
            if (names.Count != 1) throw new GlassboxException("--this-process-only measures one method at a time.");
            var o = new MethodBenchmarkOptions(names[0], images, s.AllClasses, null, Paths.ShippedSample(), s.BackgroundSize, s.Threads, s.Arch);
            Console.WriteLine(JsonSerializer.Serialize(MethodBenchmark.Run(o), new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
            return 0;
        }
        var results = new List<MethodBenchmarkResult>();
        AnsiConsole.Progress().Start(ctx =>
        {
            var task = ctx.AddTask("methods", maxValue: names.Count);
            foreach (var name in names)
            {
                task.Description = name;
                var args = new List<string> { "benchmark", "--this-process-only", "--methods", name, "--images", images.ToString(), "--background-size", s.BackgroundSize.ToString(), "--threads", s.Threads.ToString(), "--arch", s.Arch };
                if (s.AllClasses) args.Add("--all-classes");
                results.Add(RunChildJson<MethodBenchmarkResult>("tuned", args));
                task.Increment(1);
            }
        });
        var table = new Table().AddColumns("Method", "images/s", "s", "classes", "raw passes/image", "raw s", "ratio", "peak RSS", "batch", "max check");
        foreach (var r in results)
            table.AddRow(r.Method, $"{r.ImagesPerSecond:F2}", $"{r.Seconds:F2}", r.TargetsPerImage.ToString(),
                double.IsFinite(r.PassesPerImage) ? $"{r.PassesPerImage:F0} {(r.PassKind == "forward" ? "fwd" : "fwd+bwd")}" : "n/a",
                double.IsFinite(r.RawSeconds) ? $"{r.RawSeconds:F2}" : "n/a", double.IsFinite(r.Ratio) ? $"{r.Ratio:F2}" : "n/a",
                $"{r.PeakRssMegabytes:F0} MB", Markup.Escape(r.InternalBatchSize), double.IsFinite(r.MaxCheck) ? $"{NumberFormat.Scientific(r.MaxCheck, 1)}" : "-");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{images} images of the shipped sample, {Markup.Escape(ArchitectureName(s.Arch))}, {(s.AllClasses ? "all 10 classes" : "the predicted class")}, malloc {Markup.Escape(results.FirstOrDefault()?.Malloc ?? "")}. Ratio = method time / time of the raw passes it needs, measured at batch 64 in the same process.");
        Glassbox.IO.AtomicFile.WriteAllText(s.Out, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
        AnsiConsole.MarkupLine($"Figures written to {Markup.Escape(s.Out)}.");
        return 0;
    }

    private static string ArchitectureName(string arch) => arch switch
    {
        Glassbox.Models.Architecture.ReferenceCnn => "reference CNN",
        Glassbox.Models.Architecture.ResNetSmall => "resnet-small (ResNet-8, residual graph)",
        _ => arch,
    };

    private static T RunChildJson<T>(string mode, IEnumerable<string> args)
    {
        string self = Environment.ProcessPath ?? throw new GlassboxException("Cannot find the running program to start the benchmark child process.");
        var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string? entry = Environment.GetCommandLineArgs().FirstOrDefault();
        if (Path.GetFileNameWithoutExtension(self) == "dotnet" && entry is not null) psi.ArgumentList.Add(entry);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["GLASSBOX_MALLOC"] = mode;
        using var p = Process.Start(psi) ?? throw new GlassboxException("Could not start the benchmark child process.");
        var stderrTask = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        var line = stdout.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{'));
        if (p.ExitCode != 0 || line is null)
            throw new GlassboxException($"The benchmark child process failed: {stderrTask.Result}{stdout}");
        return JsonSerializer.Deserialize<T>(line, new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals })!;
    }

    private static BenchmarkResult RunChild(string mode, Settings s)
    {
        string self = Environment.ProcessPath ?? throw new GlassboxException("Cannot find the running program to start the benchmark child process.");
        var psi = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string? entry = Environment.GetCommandLineArgs().FirstOrDefault();
        if (Path.GetFileNameWithoutExtension(self) == "dotnet" && entry is not null) psi.ArgumentList.Add(entry);
        foreach (var a in new[] { "benchmark", "--this-process-only", "--arch", s.Arch, "--images", s.Images.ToString(), "--background-size", s.BackgroundSize.ToString(), "--internal-batch-size", s.PairsPerChunk.ToString(), "--threads", s.Threads.ToString() })
            psi.ArgumentList.Add(a);
        psi.Environment["GLASSBOX_MALLOC"] = mode;
        using var p = Process.Start(psi) ?? throw new GlassboxException("Could not start the benchmark child process.");
        string stdout = p.StandardOutput.ReadToEnd();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        var line = stdout.Split('\n').LastOrDefault(l => l.TrimStart().StartsWith('{'));
        if (p.ExitCode != 0 || line is null)
            throw new GlassboxException($"The benchmark child process (GLASSBOX_MALLOC={mode}) failed: {stderr}{stdout}");
        return JsonSerializer.Deserialize<BenchmarkResult>(line)!;
    }
}

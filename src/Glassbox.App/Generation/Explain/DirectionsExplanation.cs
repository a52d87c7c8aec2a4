using System.Diagnostics;
using System.Globalization;
using Glassbox.Generation;
using Glassbox.Generation.Explain.Directions;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Visualization;
using Glassbox.Visualization.Charts;
using ScottPlot;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.App.Generation.Explain;

/// <summary>
/// <c>--what directions</c>: interpretable latent directions by GANSpace (Härkönen et al. 2020), SeFa (Shen &amp; Zhou
/// 2021) and InterFaceGAN (Shen et al. 2020), each measured against random directions: the variance of the first
/// layer's activations and of the images along it, and its edit specificity under the classifier
/// (<see cref="EditSpecificity"/>). Writes one strip per method, a specificity chart and the directions as .npy.
/// </summary>
public sealed class DirectionsExplanation : IGeneratorExplanation
{
    private static readonly string[] Methods = ["ganspace", "sefa", "interfacegan"];

    /// <inheritdoc/>
    public string What => "directions";

    /// <inheritdoc/>
    public string Description => "Latent directions by GANSpace, SeFa and InterFaceGAN, with explained variance and edit specificity against random directions.";

    /// <inheritdoc/>
    public bool NeedsClassifier => true;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, string> Options { get; } = new Dictionary<string, string>
    {
        ["method"] = "ganspace, sefa, interfacegan or all (default all).",
        ["count"] = "Directions per method for GANSpace and SeFa (default 5; InterFaceGAN fits one boundary, target vs rest).",
        ["samples"] = "Codes sampled for GANSpace's PCA and InterFaceGAN's boundary (default 2000).",
        ["space"] = "What GANSpace decomposes: activations (first layer, default) or latents.",
        ["ratio"] = "InterFaceGAN: share of the sampled codes kept at each end of the target log-odds ranking (default 0.2).",
        ["random"] = "Random unit directions to compare with (default 10).",
        ["alpha"] = "Largest edit α along a unit direction, in prior standard deviations (default 3).",
        ["steps"] = "Points on the α grid from −alpha to +alpha, odd (default 7).",
        ["strip-codes"] = "Base codes shown per direction in the strips (default 3).",
        ["label"] = "Class a conditional generator runs with (default: the target).",
    };

    /// <inheritdoc/>
    public GeneratorExplanationResult Run(GeneratorExplanationContext context)
    {
        var gen = context.Generator;
        var classifier = context.Classifier;
        string method = context.ChoiceOption("method", "all", [.. Methods, "all"]);
        int count = context.IntOption("count", 5, 1, gen.LatentSize);
        int samples = context.IntOption("samples", 2000, 20, 100_000);
        var space = context.ChoiceOption("space", "activations", "activations", "latents") == "latents" ? GanSpaceSpace.Latents : GanSpaceSpace.Activations;
        double ratio = context.DoubleOption("ratio", 0.2, 0.01, 0.5);
        int randomCount = context.IntOption("random", 10, 2, 1000);
        double alpha = context.DoubleOption("alpha", 3, 0.1, 20);
        int steps = context.IntOption("steps", 7, 3, 41);
        if (steps % 2 == 0) throw new GlassboxException($"--option steps={steps}: use an odd number so that the grid holds α = 0.");
        int stripCodes = context.IntOption("strip-codes", 3, 1, 16);
        int target = context.Target(0);
        int? label = null;
        if (gen.Classes > 0)
        {
            label = context.IntOption("label", Math.Min(target, gen.Classes - 1), 0, gen.Classes - 1);
        }
        else if (context.OptionText("label") is not null)
            throw new GlassboxException("--option label is for conditional generators; this generator is unconditional.");
        var seed = context.Request.Seed;
        var chosen = method == "all" ? Methods : [method];
        var editOptions = new EditSpecificityOptions(alpha, steps);
        var timings = new Dictionary<string, double>();
        var clock = Stopwatch.StartNew();
        const string stage = "directions";
        context.Observer.StageStarted(stage, 2 * chosen.Length + 1);
        int done = 0;

        var layer = FirstLayer.Of(gen, label);
        using var labelTensor = label is int l ? torch.full([1], l, ScalarType.Int64) : null;
        Tensor Decode(Tensor z)
        {
            using var labels = labelTensor?.expand(z.shape[0]);
            return gen.Decode(z, labels);
        }
        Tensor Logits(Tensor images)
        {
            using var x = images.to(classifier.Device);
            using var logits = classifier.Forward(x);
            return logits.detach().cpu();
        }
        Tensor Probabilities(Tensor images)
        {
            using var logits = Logits(images);
            return torch.softmax(logits, 1);
        }

        // The directions.
        var sets = new List<LatentDirections>();
        var methodSummary = new Dictionary<string, object?>();
        foreach (string m in chosen)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            context.Observer.StageProgress(stage, done++, $"finding {Title(m)} directions");
            var start = clock.Elapsed.TotalSeconds;
            switch (m)
            {
                case "sefa":
                {
                    var sefa = Sefa.Compute(layer, new SefaOptions(count));
                    sets.Add(sefa);
                    methodSummary["sefa"] = new Dictionary<string, object?> { ["eigenvalues"] = sefa.Scores, ["normalizedUnits"] = true, ["layer"] = layer.Name };
                    break;
                }
                case "ganspace":
                {
                    var gs = GanSpace.Compute(layer, new GanSpaceOptions(count, samples, space, seed + 1));
                    sets.Add(gs.Directions);
                    methodSummary["ganspace"] = new Dictionary<string, object?>
                    {
                        ["space"] = space == GanSpaceSpace.Latents ? "latents" : "activations", ["samples"] = samples, ["layer"] = layer.Name,
                        ["explainedVarianceRatio"] = gs.ExplainedVarianceRatio, ["variances"] = gs.Variances, ["totalVariance"] = gs.TotalVariance,
                    };
                    break;
                }
                default:
                {
                    var fit = FitInterFaceGan(gen, Decode, Logits, samples, target, ratio, seed + 2, editOptions.BatchSize);
                    sets.Add(fit.Direction);
                    methodSummary["interfacegan"] = new Dictionary<string, object?>
                    {
                        ["samples"] = samples, ["ratio"] = ratio, ["trainCodes"] = fit.TrainCount, ["heldOutCodes"] = fit.HeldOutCount,
                        ["trainAccuracy"] = fit.TrainAccuracy, ["heldOutAccuracy"] = fit.HeldOutAccuracy, ["bias"] = fit.Bias, ["newtonSteps"] = fit.Iterations,
                    };
                    break;
                }
            }
            timings[m] = clock.Elapsed.TotalSeconds - start;
        }
        var random = RandomDirections.Draw(randomCount, gen.LatentSize, seed + 3);

        // The measurements.
        using var g = new torch.Generator((ulong)(uint)seed);
        using var codes = torch.randn([context.Request.Count, gen.LatentSize], generator: g);
        var measureStart = clock.Elapsed.TotalSeconds;
        var measured = new List<(LatentDirections Set, List<EditSpecificityResult> Results)>();
        foreach (var set in sets.Append(random))
        {
            context.Cancellation.ThrowIfCancellationRequested();
            context.Observer.StageProgress(stage, done++, $"edit specificity of {Title(set.Method)}");
            var results = set.Vectors.Select(v => EditSpecificity.Measure(Decode, Probabilities, codes, v, target, editOptions, layer)).ToList();
            measured.Add((set, results));
        }
        timings["specificity"] = clock.Elapsed.TotalSeconds - measureStart;
        var randomResults = measured[^1].Results;
        double randomActivation = randomResults.Average(r => r.ActivationVariance ?? 0);
        double randomImage = randomResults.Average(r => r.ImageVariance);

        // Files.
        var files = new List<string>();
        var figures = new List<GeneratorFigure>();
        string alphaText = $"α from −{NumberFormat.Invariant(alpha)} to +{NumberFormat.Invariant(alpha)}";
        foreach (var (set, results) in measured)
        {
            string npy = $"directions_{set.Method}.npy";
            NpyFile.Write(context.PathOf(npy), set.Vectors.SelectMany(v => v.Select(x => (float)x)).ToArray(), [set.Count, gen.LatentSize]);
            files.Add(npy);
            if (set.Method == "random") continue;
            string strip = $"strips_{set.Method}.png";
            WriteStrips(context.PathOf(strip), set, codes, stripCodes, editOptions, Decode);
            string specs = string.Join(", ", results.Select((r, i) => $"{i + 1}: {NumberFormat.Invariant(r.Specificity)}"));
            figures.Add(new GeneratorFigure(strip,
                $"{Title(set.Method)}: one row per direction ({set.Count}), {Math.Min(stripCodes, context.Request.Count)} base code(s) per row (grey tiles between them), {alphaText} left to right within each code. " +
                $"Specificity for class {target} (ceiling {NumberFormat.Invariant((classifier.Info.Classes - 1.0) / classifier.Info.Classes)}): {specs}; " +
                $"random directions {NumberFormat.Invariant(randomResults.Average(r => r.Specificity))} ± {NumberFormat.Invariant(StdDev(randomResults.Select(r => r.Specificity)))}. " +
                "SeFa and GANSpace directions have no meaningful sign; InterFaceGAN's points towards the target."));
        }
        string chart = "specificity.png";
        SpecificityChart(context.PathOf(chart), measured, target, classifier.Info.ClassNames);
        figures.Add(new GeneratorFigure(chart,
            $"Edit specificity for class {target} per direction (bars, best class it raises underneath) against {randomCount} random directions (grey band: mean ± sd), " +
            $"over {context.Request.Count} codes, {alphaText}. Specificity = Δp_target / (Δp_target + mean |Δp_other|) at the α that raises p_target most; " +
            $"1 − 1/K = {NumberFormat.Invariant((classifier.Info.Classes - 1.0) / classifier.Info.Classes)} is the ceiling of a pure transfer to the target."));

        var summary = new Dictionary<string, object?>
        {
            ["target"] = target,
            ["label"] = label,
            ["codes"] = context.Request.Count,
            ["alphas"] = editOptions.Alphas(),
            ["firstLayer"] = layer.Name,
            ["methods"] = methodSummary,
            ["directions"] = measured.Where(m => m.Set.Method != "random").ToDictionary(m => m.Set.Method,
                m => (object?)m.Results.Select((r, i) => Row(r, m.Set.Scores[i], randomActivation, randomImage)).ToList()),
            ["random"] = new Dictionary<string, object?>
            {
                ["count"] = randomCount,
                ["specificityMean"] = randomResults.Average(r => r.Specificity), ["specificitySd"] = StdDev(randomResults.Select(r => r.Specificity)),
                ["targetGainMean"] = randomResults.Average(r => r.TargetGain), ["targetGainSd"] = StdDev(randomResults.Select(r => r.TargetGain)),
                ["othersChangeMean"] = randomResults.Average(r => r.OthersAtBest),
                ["bestClassSpecificityMean"] = randomResults.Average(r => r.BestClassSpecificity), ["bestClassSpecificitySd"] = StdDev(randomResults.Select(r => r.BestClassSpecificity)),
                ["activationVarianceMean"] = randomActivation, ["activationVarianceSd"] = StdDev(randomResults.Select(r => r.ActivationVariance ?? 0)),
                ["imageVarianceMean"] = randomImage, ["imageVarianceSd"] = StdDev(randomResults.Select(r => r.ImageVariance)),
            },
            ["seconds"] = timings,
        };
        context.Observer.StageFinished(stage, $"{sets.Sum(x => x.Count)} directions measured against {randomCount} random ones");
        return new GeneratorExplanationResult(figures, files, summary);
    }

    private static InterFaceGanResult FitInterFaceGan(IGenerativeModel gen, Func<Tensor, Tensor> decode, Func<Tensor, Tensor> logits, int samples,
        int target, double ratio, int seed, int batch)
    {
        using var g = new torch.Generator((ulong)(uint)seed);
        using var z = torch.randn([samples, gen.LatentSize], generator: g);
        var scores = new List<double>(samples);
        using (torch.no_grad())
            for (long s = 0; s < samples; s += batch)
            {
                using var scope = torch.NewDisposeScope();
                var part = z.narrow(0, s, Math.Min(batch, samples - s));
                scores.AddRange(InterFaceGan.LogOdds(logits(decode(part)), target));
            }
        return InterFaceGan.Fit(z, scores, new InterFaceGanOptions(ratio, Seed: seed));
    }

    private static Dictionary<string, object?> Row(EditSpecificityResult r, double score, double randomActivation, double randomImage) => new()
    {
        ["score"] = score,
        ["specificity"] = r.Specificity,
        ["targetGain"] = r.TargetGain,
        ["othersChange"] = r.OthersAtBest,
        ["bestAlpha"] = r.BestAlpha,
        ["bestClass"] = r.BestClass,
        ["bestClassGain"] = r.BestClassGain,
        ["bestClassSpecificity"] = r.BestClassSpecificity,
        ["activationVariance"] = r.ActivationVariance,
        ["activationVarianceVsRandom"] = randomActivation > 0 ? r.ActivationVariance / randomActivation : null,
        ["imageVariance"] = r.ImageVariance,
        ["imageVarianceVsRandom"] = randomImage > 0 ? r.ImageVariance / randomImage : null,
        ["targetChange"] = r.TargetChange,
        ["othersChangeCurve"] = r.OthersChange,
    };

    /// <summary>
    /// One row per direction: for each base code, its edits from α = −max to +max left to right, the codes' groups
    /// separated by a grey tile.
    /// </summary>
    private static void WriteStrips(string path, LatentDirections set, Tensor codes, int stripCodes, EditSpecificityOptions options, Func<Tensor, Tensor> decode)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var baseCodes = codes.narrow(0, 0, Math.Min(stripCodes, codes.shape[0]));
        var alphas = options.Alphas();
        var edits = new List<Tensor>();
        foreach (var v in set.Vectors)
        {
            var d = torch.tensor(v.Select(x => (float)x).ToArray());
            for (long i = 0; i < baseCodes.shape[0]; i++)
                edits.AddRange(alphas.Select(a => baseCodes[i] + (float)a * d));
        }
        var images = decode(torch.stack(edits));
        var separator = torch.full([1, .. images.shape[1..]], 0.35f);
        var tiles = new List<Tensor>();
        int perCode = alphas.Length, codesShown = (int)baseCodes.shape[0];
        for (int k = 0; k < set.Count; k++)
            for (int i = 0; i < codesShown; i++)
            {
                if (i > 0) tiles.Add(separator);
                tiles.Add(images.narrow(0, (k * codesShown + i) * perCode, perCode));
            }
        int columns = codesShown * perCode + codesShown - 1;
        AtomicFile.WriteAllBytes(path, SampleGrid.ToPng(torch.cat(tiles, 0), columns, scale: 2));
    }

    private static void SpecificityChart(string path, List<(LatentDirections Set, List<EditSpecificityResult> Results)> measured, int target, IReadOnlyList<string> classNames)
    {
        var directions = measured.Where(m => m.Set.Method != "random").ToList();
        var random = measured[^1].Results;
        int bars = directions.Sum(d => d.Results.Count);
        var options = new ChartOptions($"Edit specificity for class {ClassName(classNames, target)}", Width: Math.Max(760, 330 + 58 * bars), Height: 460);
        using var plot = new Plot();
        ChartPng.Style(plot, options);
        double mean = random.Average(r => r.Specificity), sd = StdDev(random.Select(r => r.Specificity));
        var band = plot.Add.VerticalSpan(Math.Max(0, mean - sd), Math.Min(1, mean + sd));
        band.FillStyle.Color = Color.FromHex("#999999").WithAlpha(0.25);
        band.LineStyle.Width = 0;
        band.LegendText = $"random ({random.Count}): {NumberFormat.Invariant(mean)} ± {NumberFormat.Invariant(sd)}";
        var line = plot.Add.HorizontalLine(mean);
        line.Color = Color.FromHex("#666666");
        line.LinePattern = LinePattern.Dashed;
        line.LineWidth = 1.5f;
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        int x = 0;
        for (int m = 0; m < directions.Count; m++)
        {
            var (set, results) = directions[m];
            var list = results.Select((r, i) => new Bar { Position = x + i, Value = r.Specificity, Size = 0.7, FillColor = ChartPng.SeriesColor(m), LineWidth = 0 }).ToList();
            var added = plot.Add.Bars(list);
            added.LegendText = Title(set.Method);
            for (int i = 0; i < results.Count; i++)
                ticks.AddMajor(x + i, $"{(results.Count > 1 ? (i + 1).ToString(CultureInfo.InvariantCulture) : Short(set.Method))}\n→{ClassName(classNames, results[i].BestClass)}");
            x += results.Count;
        }
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.Axes.SetLimitsX(-0.6, Math.Max(1, x) - 0.4);
        plot.Axes.SetLimitsY(0, 1);
        plot.Title(options.Title);
        plot.XLabel("direction (→ the class it raises most)");
        plot.YLabel("specificity (higher is better)");
        plot.ShowLegend(Edge.Right);
        AtomicFile.WriteAllBytes(path, ChartPng.Render(plot, options.Width, options.Height));
    }

    private static string ClassName(IReadOnlyList<string> names, int c) => c < names.Count ? names[c] : c.ToString(CultureInfo.InvariantCulture);

    private static string Title(string method) => method switch
    {
        "ganspace" => "GANSpace",
        "sefa" => "SeFa",
        "interfacegan" => "InterFaceGAN",
        _ => method,
    };

    private static string Short(string method) => method == "interfacegan" ? "IFG" : Title(method);

    private static double StdDev(IEnumerable<double> values)
    {
        var v = values.ToList();
        if (v.Count < 2) return 0;
        double m = v.Average();
        return Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Count - 1));
    }
}

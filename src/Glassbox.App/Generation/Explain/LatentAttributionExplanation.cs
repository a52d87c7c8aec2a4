using System.Globalization;
using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Generation.Explain.Attribution;
using Glassbox.Generation.Explain.Traversals;
using Glassbox.IO;
using Glassbox.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.App.Generation.Explain;

/// <summary>
/// <c>--what latent-attribution</c>: why the classifier calls a generated image class c, in latent space (a gradient
/// method run on f∘G, <see cref="LatentAttribution"/>; integrated gradients from the zero code reports completeness per
/// code) beside the pixel attribution of the generated image by any catalog method.
/// </summary>
public sealed class LatentAttributionExplanation : IGeneratorExplanation
{
    /// <summary>Rows drawn in the figure (the .npy files hold every code).</summary>
    public const int MaxFigureRows = 6;

    /// <summary>Generated images in the background of a pixel method that averages over a baseline distribution.</summary>
    public const int PixelBackground = 32;

    /// <inheritdoc/>
    public string What => "latent-attribution";

    /// <inheritdoc/>
    public string Description => "Latent attribution: a gradient method over the code through the decoder (IG with completeness, saliency, SmoothGrad, ...) beside the generated image's pixel attribution";

    /// <inheritdoc/>
    public bool NeedsClassifier => true;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, string> Options { get; } = new Dictionary<string, string>
    {
        ["method"] = "Latent method: integrated-gradients (default), saliency, input-x-gradient, gradient-shap or smoothgrad",
        ["steps"] = "Integrated-gradients steps (default 64)",
        ["tolerance"] = "Integrated gradients: re-explain codes whose relative completeness error exceeds this with doubled steps (default: off, one pass)",
        ["max-steps"] = "Most steps the tolerance refinement uses (default 1024)",
        ["samples"] = "GradientSHAP / SmoothGrad samples per code (default 5)",
        ["stdevs"] = "Noise σ in latent units (SmoothGrad default 1.0, GradientSHAP default 0)",
        ["pixel-method"] = "Any catalog method for the generated image's pixels (default integrated-gradients)",
        ["label"] = "Class a conditional generator generates (default 0)",
    };

    /// <inheritdoc/>
    public GeneratorExplanationResult Run(GeneratorExplanationContext ctx)
    {
        var gen = ctx.Generator;
        var classifier = ctx.Classifier;
        string method = ctx.ChoiceOption("method", "integrated-gradients", [.. LatentAttributionOptions.Methods]);
        int steps = ctx.IntOption("steps", 64, 1, 100_000);
        int samples = ctx.IntOption("samples", 5, 1, 100_000);
        double? tolerance = ctx.OptionText("tolerance") is null ? null : ctx.DoubleOption("tolerance", 1e-3, 1e-9, 1);
        int maxSteps = ctx.IntOption("max-steps", Math.Max(1024, steps), steps, 100_000);
        if (tolerance is not null && method != "integrated-gradients")
            throw new GlassboxException($"--option tolerance refines integrated gradients; --option method={method} has no completeness to refine.");
        double? stdevs = ctx.OptionText("stdevs") is null ? null : ctx.DoubleOption("stdevs", 0, 0, 100);
        var pixelEntry = MethodCatalog.Default.Get(ctx.OptionText("pixel-method") ?? "integrated-gradients");
        int? label = TraversalRows.LabelOption(ctx);
        using var codes = ctx.Request.Input is string input
            ? BaseCodes.FromFile(gen, input, ctx.Request.Count, true, label)
            : BaseCodes.FromPrior(gen, ctx.Request.Count, ctx.Request.Seed);
        int n = codes.Count, l = gen.LatentSize, c = gen.Channels, h = gen.Height, w = gen.Width;
        using var model = new LatentClassifier(gen, classifier, label);

        // The generated images, the classifier's probabilities and the classes explained.
        using var scope = torch.NewDisposeScope();
        Tensor images, probs;
        using (torch.no_grad())
        {
            images = model.Decode(LatentClassifier.AsInputs(codes.Codes).to(model.Device)).detach();
            probs = nn.functional.softmax(classifier.Forward(images), 1).cpu();
        }
        float[] p = probs.contiguous().data<float>().ToArray();
        int classes = classifier.Info.Classes;
        int[] predicted = Enumerable.Range(0, n).Select(i => Enumerable.Range(0, classes).MaxBy(k => p[i * classes + k])).ToArray();
        int[] targets = ctx.Request.Target is int fixedTarget ? Enumerable.Repeat(ctx.Target(fixedTarget), n).ToArray() : predicted;
        var selection = TargetSelection.PerInput(targets);

        ctx.Observer.StageStarted("latent attribution", n);
        var options = new LatentAttributionOptions(method, steps, null, samples, stdevs, Seed: ctx.Request.Seed, Tolerance: tolerance, MaxSteps: maxSteps);
        var latent = LatentAttribution.Explain(model, codes.Codes, selection, options,
            new Progress<(int Done, int Total)>(d => ctx.Observer.StageProgress("latent attribution", d.Done * (double)n / Math.Max(1, d.Total))), ctx.Cancellation);
        ctx.Observer.StageFinished("latent attribution", $"{n} codes, {method}");

        ctx.Observer.StageStarted("pixel attribution", n);
        var (pixelMethod, pixelSettings) = MethodFactory.Create(pixelEntry, new Dictionary<string, string>(), classifier, OutputSpace.Logits, ctx.Request.Seed,
            () => { using var s = gen.Generate(PixelBackground, ctx.Request.Seed + 1, label); return s.Images.to(classifier.Device).clone(); });
        var pixel = pixelMethod.Attribute(images, selection, null, ctx.Cancellation);
        ctx.Observer.StageFinished("pixel attribution", $"{n} images, {pixelEntry.Name}");

        // Files.
        float[] imageValues = images.cpu().contiguous().data<float>().ToArray();
        NpyFile.Write(ctx.PathOf("codes.npy"), latent.Codes, [n, l]);
        NpyFile.Write(ctx.PathOf("images.npy"), imageValues, [n, c, h, w]);
        NpyFile.Write(ctx.PathOf("latent_attributions.npy"), latent.Explanation.Values, [n, l]);
        NpyFile.Write(ctx.PathOf("pixel_attributions.npy"), pixel.Values, [n, c, h, w]);
        NpyFile.Write(ctx.PathOf("probabilities.npy"), p, [n, classes]);

        int rows = Math.Min(n, MaxFigureRows);
        var maps = new float[rows * h * w];
        for (int i = 0; i < rows; i++)
            for (int ch = 0; ch < c; ch++)
                for (int q = 0; q < h * w; q++) maps[i * h * w + q] += pixel.Values[(i * c + ch) * h * w + q];
        var titles = Enumerable.Range(0, rows).Select(i => Title(latent, i, targets[i], p[i * classes + targets[i]], classifier.Info.ClassNames, pixelEntry.Name)).ToArray();
        var figureData = new LatentAttributionFigureData(imageValues.AsSpan(0, rows * c * h * w).ToArray(), rows, c, h, w, maps,
            latent.Explanation.Values.AsSpan(0, rows * l).ToArray(), l, titles, pixelEntry.Name, method);
        AtomicFile.WriteAllBytes(ctx.PathOf("latent-attribution.png"), LatentAttributionFigure.Render(figureData));
        var figure = new GeneratorFigure("latent-attribution.png",
            $"Why the classifier calls each generated image its class: the image G(z), its pixel attribution ({pixelEntry.Name}) and the {method} " +
            $"attribution of the class logit to each latent dimension through the decoder (red raises the logit, blue lowers it)" +
            (latent.Completeness is null ? "." : $"; for integrated gradients Σφ = f(G(z)) − f(G(z₀)) from the zero code, largest relative error {NumberFormat.Scientific(latent.MaxCompleteness)}."));

        var summary = new Dictionary<string, object?>
        {
            ["method"] = method,
            ["pixelMethod"] = pixelEntry.Name,
            ["pixelSettings"] = pixelSettings.Describe(),
            ["codeSource"] = codes.Source,
            ["label"] = label,
            ["targets"] = targets,
            ["targetSource"] = ctx.Request.Target is null ? "the classifier's prediction on each generated image" : "--target",
            ["probabilities"] = Enumerable.Range(0, n).Select(i => (double)p[i * classes + targets[i]]).ToArray(),
            ["outputs"] = latent.Explanation.Outputs,
            ["baselineCode"] = latent.Baseline is null ? null : (latent.Baseline.All(v => v == 0) ? "zero code" : "given code"),
            ["baselineOutputs"] = latent.Completeness is null ? null : latent.Explanation.BaseValues,
            ["attributionSums"] = Enumerable.Range(0, n).Select(i => latent.Explanation.Map(i, 0).ToArray().Sum(v => (double)v)).ToArray(),
            ["completenessRelative"] = latent.Completeness,
            ["completenessAbsolute"] = latent.Completeness is null ? null : Enumerable.Range(0, n).Select(i => Math.Abs(latent.Explanation.Delta(i))).ToArray(),
            ["completenessMax"] = latent.Completeness is null ? null : latent.MaxCompleteness,
            ["steps"] = latent.Steps,
            ["tolerance"] = tolerance,
            ["completenessNote"] = method switch
            {
                "integrated-gradients" => $"|Σφ − (f(G(z)) − f(G(z0)))| / max(|f(G(z)) − f(G(z0))|, {LatentAttribution.CompletenessFloor}), Gauss–Legendre with {steps} steps",
                "gradient-shap" => "GradientSHAP is complete only in expectation over its baseline codes; these errors measure the sampling error",
                _ => "this method has no completeness property",
            },
        };
        return new GeneratorExplanationResult([figure], ["codes.npy", "images.npy", "latent_attributions.npy", "pixel_attributions.npy", "probabilities.npy"], summary);
    }

    private static string Title(LatentAttributionResult r, int i, int target, float probability, IReadOnlyList<string> names, string pixelMethod)
    {
        string cls = target < names.Count ? names[target] : target.ToString(CultureInfo.InvariantCulture);
        string line = $"code {i}: class {cls} (p = {probability.ToString("0.000", CultureInfo.InvariantCulture)}); pixels: {pixelMethod}\nf(G(z)) = {NumberFormat.Compact(r.Explanation.Outputs[i])}";
        if (r.Completeness is { } e)
        {
            double sum = r.Explanation.Map(i, 0).ToArray().Sum(v => (double)v);
            line += $", f(G(z\u2080)) = {NumberFormat.Compact(r.Explanation.BaseValues[i])}, \u03a3\u03c6 = {NumberFormat.Compact(sum)}, rel. error {NumberFormat.Scientific(e[i])}" + (r.Steps is { } st ? $" ({st[i]} steps)" : "");
        }
        return line;
    }
}

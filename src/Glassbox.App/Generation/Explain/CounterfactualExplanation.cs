using System.Diagnostics;
using System.Globalization;
using System.Text;
using Glassbox.Data;
using Glassbox.Generation;
using Glassbox.Generation.Explain.Counterfactuals;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Models.Sources;
using Glassbox.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.App.Generation.Explain;

/// <summary>
/// <c>--what counterfactual</c>: for real images encoded by a VAE, the REVISE search (Joshi et al. 2019) and the
/// latent-shift morph (Cohen et al. 2021) toward a target class, with validity under the explained classifier and an
/// oracle, ℓ1/ℓ2 proximity, latent distance, IM1 (Van Looveren &amp; Klaise 2021) and time per counterfactual.
/// </summary>
internal sealed class CounterfactualExplanation : IGeneratorExplanation
{
    /// <summary>The table, one row per counterfactual and method.</summary>
    public const string TableCsv = "counterfactuals.csv";
    /// <summary>Input, reconstruction, REVISE counterfactual and change, one row per image.</summary>
    public const string RevisePng = "counterfactual-revise.png";
    /// <summary>The latent-shift frames, one row per image.</summary>
    public const string ShiftPng = "counterfactual-shift.png";
    /// <summary>The latent-shift morph of every pictured image, animated.</summary>
    public const string ShiftGif = "counterfactual-shift.gif";
    /// <summary>Default data folder (real images and the IM1 autoencoders' training set).</summary>
    public const string DefaultData = "data/mnist-sample";
    /// <summary>Most images pictured in the PNG strips and the GIF.</summary>
    public const int Pictured = 8;

    private const string Both = "both", ReviseName = "revise", ShiftName = "latent-shift";

    public string What => "counterfactual";

    public string Description => "Counterfactuals through a VAE: REVISE search and latent-shift morph (strip + GIF) toward a target class, with validity under the classifier and an oracle, L1/L2 proximity, latent distance, IM1 and time.";

    public bool NeedsClassifier => true;

    public IReadOnlyDictionary<string, string> Options { get; } = new Dictionary<string, string>
    {
        ["method"] = "revise, latent-shift or both (default both)",
        ["lambda"] = "REVISE: weight λ of the L1 distance ‖G(z) − x‖₁ (default 0.01)",
        ["steps"] = "REVISE: most Adam steps (default 1000)",
        ["lr"] = "REVISE: Adam learning rate on z (default 0.1)",
        ["confidence"] = "REVISE: also require p(target) ≥ this before stopping (default 0: the first arg-max)",
        ["shift-step"] = "latent shift: λ increase per step, in latent units (default 0.05)",
        ["max-shift"] = "latent shift: largest λ tried (default 10)",
        ["frames"] = "latent shift: frames of the morph (default 10)",
        ["gradient"] = "latent shift: follow +∂log p(target)/∂z (target) or −∂log p(original)/∂z (original) (default target)",
        ["oracle"] = "an independently trained classifier (checkpoint or model file) that judges validity too (default none)",
        ["im1-epochs"] = "epochs of each per-class IM1 autoencoder (default 30)",
    };

    public GeneratorExplanationResult Run(GeneratorExplanationContext context)
    {
        var request = context.Request;
        var vae = context.Generator as Vae
            ?? throw new GlassboxException($"--what counterfactual encodes real images, which needs an encoder: the generator '{request.Generator}' is a {context.Generator.Kind}. Train a VAE with `glassbox train-generator --kind vae`.");
        if (vae.Classes > 0)
            throw new GlassboxException($"--what counterfactual needs an unconditional VAE: the VAE in '{request.Generator}' takes the class as a label, so its latent does not carry it. Train one without class conditioning.");
        var classifier = context.Classifier;
        ModelCapabilities.RequireGradients(classifier, "--what counterfactual");
        string method = context.ChoiceOption("method", Both, ReviseName, ShiftName, Both);
        var revise = new ReviseOptions(context.DoubleOption("lambda", 0.01, 0, 1e6), context.IntOption("steps", 1000, 1, 100_000),
            context.DoubleOption("lr", 0.1, 1e-6, 100), context.DoubleOption("confidence", 0, 0, 0.999999));
        var shift = new LatentShiftOptions(context.DoubleOption("shift-step", 0.05, 1e-6, 100), context.DoubleOption("max-shift", 10, 1e-6, 1000),
            context.IntOption("frames", 10, 2, 100),
            context.ChoiceOption("gradient", "target", "target", "original") == "target" ? LatentShiftObjective.Target : LatentShiftObjective.Original);
        revise.Validate();
        shift.Validate();
        var aeOptions = new ClassAutoencoderOptions(Epochs: context.IntOption("im1-epochs", 30, 1, 10_000));
        string dataFolder = request.Data ?? DefaultData;
        int classes = classifier.Info.Classes;
        if (classes < 2) throw new GlassboxException($"--what counterfactual needs a classifier with at least 2 classes; this one has {classes}.");
        if (request.Target is int tt && tt >= classes)
            throw new GlassboxException($"--target {tt} is not a class of the classifier: it knows classes 0–{classes - 1}.");

        using var oracle = context.OptionText("oracle") is string oraclePath ? LoadOracle(oraclePath, classifier) : null;
        using var scope = torch.NewDisposeScope();
        var device = classifier.Device;

        // Inputs, their predicted classes and the targets.
        context.Observer.StageStarted("counterfactual inputs", 1);
        var (x, labels, skipped) = request.Input is string inputPath
            ? ReadInput(inputPath, vae, request.Count, classifier, request.Target)
            : FromData(dataFolder, vae, request.Count, classifier, request.Target);
        x = x.to(device);
        int n = (int)x.shape[0];
        var (originals, targets) = Targets(classifier, x, request.Target);
        var (mu, logVar) = vae.Encode(x);
        logVar.Dispose();
        Tensor z0 = mu.detach(), reconstruction;
        using (torch.no_grad()) reconstruction = vae.Decode(z0);
        context.Observer.StageFinished("counterfactual inputs", $"{n} images" + (skipped > 0 ? $", {skipped} already of the target class skipped" : ""));

        // IM1 autoencoders, one per class that occurs as an original or a target.
        var needed = originals.Concat(targets).Distinct().Order().ToArray();
        context.Observer.StageStarted("IM1 autoencoders", needed.Length);
        var train = MnistFormat.LoadFolder(dataFolder, "train");
        CheckData(train, vae, dataFolder);
        var autoencoders = new Dictionary<int, ClassAutoencoder>();
        var aeErrors = new Dictionary<string, object?>();
        try
        {
            foreach (int c in needed)
            {
                int[] ofClass = Enumerable.Range(0, train.Count).Where(i => train.Labels[i] == c).ToArray();
                if (ofClass.Length == 0)
                    throw new GlassboxException($"IM1 needs training images of class {c}, but '{dataFolder}' has none; pass --data with images of every class.");
                var subset = train.Subset(ofClass);
                using var images = torch.tensor(subset.Pixels, [subset.Count, subset.Channels, subset.Height, subset.Width]);
                autoencoders[c] = ClassAutoencoder.Train(images, request.Seed * 1000 + c, aeOptions, context.Cancellation);
                aeErrors[c.ToString(CultureInfo.InvariantCulture)] = autoencoders[c].TrainingError;
                context.Observer.StageProgress("IM1 autoencoders", autoencoders.Count, $"class {c}");
            }
            context.Observer.StageFinished("IM1 autoencoders", $"{needed.Length} classes");

            Func<Tensor, Tensor> decode = z => vae.Decode(z);
            var rows = new List<Row>();
            var summary = new Dictionary<string, object?>
            {
                ["images"] = n, ["skipped"] = skipped,
                ["targetRule"] = request.Target is int t0 ? $"--target {t0} for every image" : "the classifier's second most probable class",
                ["method"] = method, ["oracle"] = oracle is null ? null : Path.GetFullPath(context.OptionText("oracle")!),
                ["revise"] = null, ["latentShift"] = null,
                ["im1AutoencoderError"] = aeErrors,
                ["reconstructionL1"] = Mean(CounterfactualMetrics.L1(reconstruction, x)),
            };
            var figures = new List<GeneratorFigure>();
            var files = new List<string> { TableCsv, "counterfactual-inputs.npy" };
            TensorNpy.Write(context.PathOf("counterfactual-inputs.npy"), x);
            int shown = Math.Min(n, Pictured);

            if (method is ReviseName or Both)
            {
                context.Observer.StageStarted("REVISE", 1);
                using var search = Chunked(n, (start, len) => new Revise(revise).Search(decode, classifier, z0.narrow(0, start, len), x.narrow(0, start, len), targets[start..(start + len)], context.Cancellation));
                var r = Measure(ReviseName, search, x, z0, originals, targets, labels, classifier, oracle, autoencoders, null);
                rows.AddRange(r);
                summary["revise"] = Summarise(r, search, revise);
                TensorNpy.Write(context.PathOf("counterfactual-revise.npy"), search.Images);
                TensorNpy.Write(context.PathOf("counterfactual-revise-codes.npy"), search.Latents);
                files.Add("counterfactual-revise.npy");
                files.Add("counterfactual-revise-codes.npy");
                var change = (search.Images - reconstruction).abs();
                var scale = change.flatten(1).amax([1]).clamp_min(1e-6).view(-1, 1, 1, 1);
                var strip = torch.stack([x, reconstruction, search.Images, change / scale], 1).narrow(0, 0, shown).flatten(0, 1);
                AtomicFile.WriteAllBytes(context.PathOf(RevisePng), SampleGrid.ToPng(strip, 4, 3));
                int valid = r.Count(v => v.Reached);
                figures.Add(new GeneratorFigure(RevisePng,
                    $"REVISE counterfactuals (Joshi et al. 2019), one row per image: the input, its VAE reconstruction G(E(x)), the first decoded code the classifier calls the target, and |change| from the reconstruction (scaled to its row's maximum). " +
                    $"Targets: {TargetText(originals, targets, shown)}. {valid}/{n} reached the target within {revise.Steps} Adam steps (λ = {revise.Lambda.ToString(CultureInfo.InvariantCulture)}, ℓ1 distance" +
                    (revise.Confidence > 0 ? $", p(target) ≥ {revise.Confidence.ToString(CultureInfo.InvariantCulture)}). " : "). ") +
                    "A counterfactual that reached its target is valid under the explained classifier by construction; the oracle column of the table says whether an independently trained classifier agrees."));
                context.Observer.StageFinished("REVISE", $"{valid}/{n} reached the target");
            }
            if (method is ShiftName or Both)
            {
                context.Observer.StageStarted("latent shift", 1);
                using var result = ChunkedShift(n, (start, len) => new LatentShift(shift).Search(decode, classifier, z0.narrow(0, start, len), x.narrow(0, start, len), targets[start..(start + len)], originals[start..(start + len)], context.Cancellation));
                var r = Measure(ShiftName, result.Search, x, z0, originals, targets, labels, classifier, oracle, autoencoders, result.Lambdas);
                rows.AddRange(r);
                var s = Summarise(r, result.Search, shift);
                s["meanLambda"] = Mean(result.Lambdas.Where((_, i) => result.Search.Reached[i]).ToArray());
                summary["latentShift"] = s;
                TensorNpy.Write(context.PathOf("counterfactual-shift-frames.npy"), result.Frames);
                TensorNpy.Write(context.PathOf("counterfactual-shift-codes.npy"), result.Search.Latents);
                files.Add("counterfactual-shift-frames.npy");
                files.Add("counterfactual-shift-codes.npy");
                var pictured = result.Frames.narrow(0, 0, shown);
                AtomicFile.WriteAllBytes(context.PathOf(ShiftPng), SampleGrid.ToPng(pictured.flatten(0, 1), shift.Frames, 3));
                var gifFrames = new List<float[]>();
                int gh = 0, gw = 0;
                for (int j = 0; j < shift.Frames; j++)
                    gifFrames.Add(SampleGrid.Tile(pictured.select(1, j), Math.Min(shown, 4), out gh, out gw));
                GifImage.Save(context.PathOf(ShiftGif), GifImage.FromFrames(gifFrames, vae.Channels, gh, gw, scale: 3));
                int valid = r.Count(v => v.ValidClassifier);
                string caption = $"toward {TargetText(originals, targets, shown)}";
                figures.Add(new GeneratorFigure(ShiftPng,
                    $"Latent shift (Cohen et al. 2021), one row per image: G(z + λ·d) for {shift.Frames} evenly spaced λ from 0 (the reconstruction) to the first λ at which the classifier changes its call, d the unit gradient of " +
                    (shift.Objective == LatentShiftObjective.Target ? "log p(target)" : "−log p(original)") + $" through the decoder, {caption}. {valid}/{n} flipped within λ ≤ {shift.MaxShift.ToString(CultureInfo.InvariantCulture)}; rows that did not show the whole sweep."));
                figures.Add(new GeneratorFigure(ShiftGif, $"The same latent-shift morphs animated (first {shown} images, last frame held)."));
                context.Observer.StageFinished("latent shift", $"{valid}/{n} flipped");
            }
            WriteCsv(context.PathOf(TableCsv), rows);
            return new GeneratorExplanationResult(figures, files, summary);
        }
        finally
        {
            foreach (var ae in autoencoders.Values) ae.Dispose();
        }
    }

    /// <summary>Images searched at once: bounds the classifier's activations for large -n.</summary>
    internal const int Chunk = 128;

    internal static CounterfactualSearch Chunked(int n, Func<int, int, CounterfactualSearch> search)
    {
        if (n <= Chunk) return search(0, n);
        var parts = new List<CounterfactualSearch>();
        try
        {
            for (int start = 0; start < n; start += Chunk) parts.Add(search(start, Math.Min(Chunk, n - start)));
            return new CounterfactualSearch(torch.cat(parts.Select(p => p.Latents).ToList(), 0), torch.cat(parts.Select(p => p.Images).ToList(), 0),
                parts.SelectMany(p => p.Reached).ToArray(), parts.SelectMany(p => p.Steps).ToArray(), parts.Sum(p => p.Seconds));
        }
        finally { foreach (var p in parts) p.Dispose(); }
    }

    private static LatentShiftResult ChunkedShift(int n, Func<int, int, LatentShiftResult> search)
    {
        if (n <= Chunk) return search(0, n);
        var parts = new List<LatentShiftResult>();
        try
        {
            for (int start = 0; start < n; start += Chunk) parts.Add(search(start, Math.Min(Chunk, n - start)));
            var s = parts.Select(p => p.Search).ToList();
            var merged = new CounterfactualSearch(torch.cat(s.Select(p => p.Latents).ToList(), 0), torch.cat(s.Select(p => p.Images).ToList(), 0),
                s.SelectMany(p => p.Reached).ToArray(), s.SelectMany(p => p.Steps).ToArray(), s.Sum(p => p.Seconds));
            return new LatentShiftResult(merged, parts.SelectMany(p => p.Lambdas).ToArray(), torch.cat(parts.Select(p => p.Directions).ToList(), 0),
                torch.cat(parts.Select(p => p.Frames).ToList(), 0), parts.SelectMany(p => p.FrameTargetLogits).ToArray());
        }
        finally { foreach (var p in parts) p.Dispose(); }
    }

    /// <summary>One counterfactual's numbers.</summary>
    private sealed record Row(int Index, int? Label, int Original, int Target, string Method, bool Reached, int Steps, double? Lambda,
        bool ValidClassifier, bool? ValidOracle, double L1, double L2, double LatentDistance, double Im1, double Seconds);

    private static List<Row> Measure(string method, CounterfactualSearch s, Tensor x, Tensor z0, int[] originals, int[] targets, int[]? labels,
        IImageModel classifier, IImageModel? oracle, Dictionary<int, ClassAutoencoder> autoencoders, double[]? lambdas)
    {
        int n = targets.Length;
        bool[] valid = CounterfactualMetrics.Validity(classifier, s.Images, targets);
        bool[]? validOracle = oracle is null ? null : CounterfactualMetrics.Validity(oracle, s.Images.to(oracle.Device), targets);
        double[] l1 = CounterfactualMetrics.L1(s.Images, x), l2 = CounterfactualMetrics.L2(s.Images, x);
        double[] dz = CounterfactualMetrics.LatentDistance(s.Latents, z0);
        var im1 = new double[n];
        using (torch.no_grad())
            for (int i = 0; i < n; i++)
            {
                using var one = s.Images.narrow(0, i, 1);
                using var byTarget = autoencoders[targets[i]].forward(one);
                using var byOriginal = autoencoders[originals[i]].forward(one);
                im1[i] = Im1.Score(one, byTarget, byOriginal)[0];
            }
        return Enumerable.Range(0, n).Select(i => new Row(i, labels?[i], originals[i], targets[i], method, s.Reached[i], s.Steps[i], lambdas?[i],
            valid[i], validOracle?[i], l1[i], l2[i], dz[i], im1[i], s.Seconds / n)).ToList();
    }

    private static Dictionary<string, object?> Summarise(List<Row> rows, CounterfactualSearch s, object settings)
    {
        var valid = rows.Where(r => r.ValidClassifier).ToList();
        return new Dictionary<string, object?>
        {
            ["settings"] = settings.ToString(),
            ["count"] = rows.Count,
            ["validity"] = rows.Average(r => r.ValidClassifier ? 1.0 : 0.0),
            ["oracleValidity"] = rows[0].ValidOracle is null ? null : rows.Average(r => r.ValidOracle == true ? 1.0 : 0.0),
            ["meanL1"] = Mean(valid.Select(r => r.L1).ToArray()),
            ["meanL2"] = Mean(valid.Select(r => r.L2).ToArray()),
            ["meanLatentDistance"] = Mean(valid.Select(r => r.LatentDistance).ToArray()),
            ["meanIm1"] = Mean(valid.Select(r => r.Im1).ToArray()),
            ["medianIm1"] = Median(valid.Select(r => r.Im1).ToArray()),
            ["meanSteps"] = Mean(valid.Select(r => (double)r.Steps).ToArray()),
            ["secondsPerCounterfactual"] = s.Seconds / rows.Count,
            ["seconds"] = s.Seconds,
            ["averagedOver"] = "proximity, latent distance, IM1 and steps: the counterfactuals valid under the explained classifier",
        };
    }

    private static double? Mean(double[] v) => v.Length == 0 ? null : v.Average();

    private static double? Median(double[] v)
    {
        if (v.Length == 0) return null;
        var s = v.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }

    private static string TargetText(int[] originals, int[] targets, int shown)
        => string.Join(", ", Enumerable.Range(0, shown).Select(i => $"{originals[i]}→{targets[i]}"));

    /// <summary>Predicted class and target per image: --target, else the second most probable class.</summary>
    private static (int[] Originals, int[] Targets) Targets(IImageModel classifier, Tensor x, int? target)
    {
        using var noGrad = torch.no_grad();
        using var logits = classifier.Forward(x);
        using var top = logits.topk(2, 1).indexes.cpu();
        long[] flat = top.data<long>().ToArray();
        int n = (int)x.shape[0];
        var originals = Enumerable.Range(0, n).Select(i => (int)flat[2 * i]).ToArray();
        var targets = Enumerable.Range(0, n).Select(i => target ?? (int)flat[2 * i + 1]).ToArray();
        return (originals, targets);
    }

    private static IImageModel LoadOracle(string path, IImageModel classifier)
    {
        if (!Directory.Exists(path) && !File.Exists(path))
            throw new GlassboxException($"--option oracle={path}: no such classifier. Train an independent one with `glassbox train` (another seed or split) and pass its folder.");
        var oracle = ModelLoader.Load(path, classifier.Device);
        var a = oracle.Info;
        var b = classifier.Info;
        if (a.Channels != b.Channels || a.Height != b.Height || a.Width != b.Width || a.Classes != b.Classes)
        {
            oracle.Dispose();
            throw new GlassboxException($"--option oracle={path}: the oracle takes {a.Channels}×{a.Height}×{a.Width} images into {a.Classes} classes but the classifier {b.Channels}×{b.Height}×{b.Width} into {b.Classes}; train the oracle on the same data.");
        }
        return oracle;
    }

    private static void CheckData(ImageDataset data, IGenerativeModel vae, string folder)
    {
        if (data.Channels != vae.Channels || data.Height != vae.Height || data.Width != vae.Width)
            throw new GlassboxException($"--data '{folder}' holds {data.Channels}×{data.Height}×{data.Width} images but the VAE makes {vae.Channels}×{vae.Height}×{vae.Width}; pass the data the VAE was trained on.");
    }

    /// <summary>The first <paramref name="count"/> test images of the folder the classifier does not already call the target.</summary>
    private static (Tensor X, int[]? Labels, int Skipped) FromData(string folder, IGenerativeModel vae, int count, IImageModel classifier, int? target)
    {
        var test = MnistFormat.LoadFolder(folder, "test");
        CheckData(test, vae, folder);
        var chosen = new List<int>();
        int skipped = 0;
        using var noGrad = torch.no_grad();
        for (int start = 0; start < test.Count && chosen.Count < count; start += 256)
        {
            int len = Math.Min(256, test.Count - start);
            var batch = test.Subset(Enumerable.Range(start, len).ToArray());
            using var xb = torch.tensor(batch.Pixels, [len, test.Channels, test.Height, test.Width]).to(classifier.Device);
            using var pred = classifier.Forward(xb).argmax(1).cpu();
            long[] p = pred.data<long>().ToArray();
            for (int i = 0; i < len && chosen.Count < count; i++)
                if (target is int t && p[i] == t) skipped++;
                else chosen.Add(start + i);
        }
        if (chosen.Count == 0)
            throw new GlassboxException($"Every test image in '{folder}' is already called class {target}; choose another --target.");
        var subset = test.Subset(chosen);
        return (torch.tensor(subset.Pixels, [subset.Count, subset.Channels, subset.Height, subset.Width]), subset.Labels, skipped);
    }

    /// <summary>The first <paramref name="count"/> rows of an .npy of images (N×C×H×W or N×H×W in [0, 1]), minus those already of the target.</summary>
    private static (Tensor X, int[]? Labels, int Skipped) ReadInput(string path, IGenerativeModel vae, int count, IImageModel classifier, int? target)
    {
        if (!File.Exists(path)) throw new GlassboxException($"--input '{path}' does not exist; pass an .npy of images.");
        float[] data = NpyFile.ReadFloat32(path, out int[] shape);
        if (shape.Length == 3) shape = [shape[0], 1, shape[1], shape[2]];
        if (shape.Length != 4 || shape[0] < 1 || shape[1] != vae.Channels || shape[2] != vae.Height || shape[3] != vae.Width)
            throw new GlassboxException($"--input '{path}' has shape [{string.Join(", ", shape)}]; the VAE takes N×{vae.Channels}×{vae.Height}×{vae.Width} (or N×{vae.Height}×{vae.Width}) images in [0, 1].");
        foreach (float v in data)
            if (!(v >= 0f && v <= 1f))
                throw new GlassboxException($"--input '{path}' holds the value {v}; images must be finite pixels in [0, 1] (divide 8-bit images by 255).");
        int n = Math.Min(count, shape[0]);
        int size = shape[1] * shape[2] * shape[3];
        using var all = torch.tensor(data.AsSpan(0, n * size).ToArray(), [n, shape[1], shape[2], shape[3]]);
        if (target is not int t) return (all.clone(), null, 0);
        using var noGrad = torch.no_grad();
        using var pred = classifier.Forward(all.to(classifier.Device)).argmax(1).cpu();
        long[] p = pred.data<long>().ToArray();
        long[] keep = Enumerable.Range(0, n).Where(i => p[i] != t).Select(i => (long)i).ToArray();
        if (keep.Length == 0)
            throw new GlassboxException($"The classifier already calls every --input image class {t}; choose another --target.");
        using var idx = torch.tensor(keep);
        return (all.index_select(0, idx), null, n - keep.Length);
    }

    private static void WriteCsv(string path, List<Row> rows)
    {
        static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
        var sb = new StringBuilder("index,label,original,target,method,reached,steps,lambda,valid_classifier,valid_oracle,l1,l2,latent_distance,im1,seconds\n");
        foreach (var r in rows)
            sb.Append(CultureInfo.InvariantCulture, $"{r.Index},{r.Label?.ToString(CultureInfo.InvariantCulture)},{r.Original},{r.Target},{r.Method},{(r.Reached ? 1 : 0)},{r.Steps},")
              .Append(r.Lambda is double l ? F(l) : "").Append(',')
              .Append(r.ValidClassifier ? 1 : 0).Append(',').Append(r.ValidOracle is bool o ? (o ? "1" : "0") : "").Append(',')
              .Append(CultureInfo.InvariantCulture, $"{F(r.L1)},{F(r.L2)},{F(r.LatentDistance)},{F(r.Im1)},{F(r.Seconds)}\n");
        AtomicFile.WriteAllText(path, sb.ToString());
    }
}

using System.Globalization;
using Glassbox.Data;
using Glassbox.Generation;
using Glassbox.Generation.Explain.Traversals;
using Glassbox.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.App.Generation.Explain;

/// <summary>What the traversal and Jacobian kinds share: the base codes, the traversal steps, and which dimensions to show in which order.</summary>
internal sealed class TraversalRows : IDisposable
{
    /// <summary>Images of --data used to measure the KL per dimension.</summary>
    public const int KlImages = 1000;

    /// <summary>Figures written (one per base code, the first ones).</summary>
    public const int MaxFigures = 4;

    /// <summary>The options both kinds read.</summary>
    public static IReadOnlyDictionary<string, string> Options { get; } = new Dictionary<string, string>
    {
        ["steps"] = "Images per row, from −range·σ to +range·σ (default 7)",
        ["range"] = "Half-width of a row in σ (default 3)",
        ["top"] = "Rows shown: the top-k dimensions in the order (default 10, at most the latent size)",
        ["order"] = "kl (VAE: the last epoch's KL per dimension, or measured on --data), variance (output variance along the traversal; the GAN default) or index",
        ["sigma"] = "posterior (default when --input images are encoded by a VAE: rows go μ ± 3σ of q(z|x)) or prior (z_j from −3 to +3)",
        ["label"] = "Class a conditional generator generates (default 0)",
    };

    private TraversalRows(BaseCodes codes, double[] offsets, int? label, int[] dims, double[] scores, string order, string orderSource)
    {
        Codes = codes;
        Offsets = offsets;
        Label = label;
        Dims = dims;
        Scores = scores;
        Order = order;
        OrderSource = orderSource;
    }

    public BaseCodes Codes { get; }
    public double[] Offsets { get; }
    public int? Label { get; }
    /// <summary>The dimensions shown, in order.</summary>
    public int[] Dims { get; }
    /// <summary>The ordering score of every dimension.</summary>
    public double[] Scores { get; }
    public string Order { get; }
    public string OrderSource { get; }

    /// <summary>Reads the options, draws or reads the base codes and orders the dimensions.</summary>
    public static TraversalRows Create(GeneratorExplanationContext ctx)
    {
        var gen = ctx.Generator;
        var traversal = new LatentTraversalOptions(ctx.IntOption("steps", 7, 2, LatentTraversalOptions.MaxSteps), ctx.DoubleOption("range", 3.0, 0.1, 10));
        int top = ctx.IntOption("top", Math.Min(10, gen.LatentSize), 1, gen.LatentSize);
        string order = ctx.ChoiceOption("order", gen is Vae ? "kl" : "variance", "kl", "variance", "index");
        string sigma = ctx.ChoiceOption("sigma", "posterior", "posterior", "prior");
        int? label = LabelOption(ctx);
        if (order == "kl" && gen is not Vae)
            throw new GlassboxException($"--option order=kl needs a VAE; a {gen.Kind} has no KL per dimension: use order=variance or order=index.");
        if (ctx.OptionText("sigma") is not null && (ctx.Request.Input is null || gen is not Vae))
            throw new GlassboxException("--option sigma applies to images given with --input and encoded by a VAE; codes drawn from the prior are traversed in the prior's σ.");
        var offsets = traversal.Offsets();
        var codes = ctx.Request.Input is string input
            ? BaseCodes.FromFile(gen, input, ctx.Request.Count, sigma == "posterior", label)
            : BaseCodes.FromPrior(gen, ctx.Request.Count, ctx.Request.Seed);
        try
        {
            double[] scores;
            string source;
            switch (order)
            {
                case "kl" when ctx.Request.Data is string data:
                    var vae = (Vae)gen;
                    var set = MnistFormat.LoadFolder(data, "train");
                    set = set.Take(KlImages);
                    if (set.Channels != vae.Channels || set.Height != vae.Height || set.Width != vae.Width)
                        throw new GlassboxException($"The images in '{data}' are {set.Channels}×{set.Height}×{set.Width} but the VAE makes {vae.Channels}×{vae.Height}×{vae.Width}; pass the data it was trained on.");
                    using (var images = torch.tensor(set.Pixels, [set.Count, set.Channels, set.Height, set.Width]))
                    using (var labels = vae.Classes > 0 ? torch.tensor(set.Labels.Select(v => (long)v).ToArray()) : null)
                        scores = KlPerDimension.Measure(vae, images, labels);
                    source = $"KL(q(z_j|x) ‖ N(0,1)) measured on the first {set.Count} training images of {Path.GetFileName(Path.GetFullPath(data))}";
                    break;
                case "kl":
                    scores = KlPerDimension.FromHistory(ctx.Metadata)
                        ?? throw new GlassboxException("The VAE checkpoint records no KL per dimension; pass --data to measure it, or use order=variance.");
                    if (scores.Length != gen.LatentSize) throw new GlassboxException($"The checkpoint's KL per dimension has {scores.Length} values for a latent of {gen.LatentSize}; the checkpoint is inconsistent.");
                    source = $"KL per dimension of the last training epoch (epoch {ctx.Metadata.Training!.Epochs[^1].Epoch}) in the checkpoint history";
                    break;
                case "variance":
                    scores = LatentTraversal.OutputVariance(gen, codes.Codes, codes.Centers, codes.Scales, offsets, label, ctx.Cancellation);
                    source = $"output variance along the traversal (Σ over pixels of the variance over the {offsets.Length} steps), mean over the {codes.Count} base codes";
                    break;
                default:
                    scores = Enumerable.Range(0, gen.LatentSize).Select(j => (double)(gen.LatentSize - j)).ToArray();
                    source = "dimension index";
                    break;
            }
            var dims = LatentTraversal.Order(scores, top);
            return new TraversalRows(codes, offsets, label, dims, scores, order, source);
        }
        catch
        {
            codes.Dispose();
            throw;
        }
    }

    /// <summary>The class a conditional generator generates (option label, default 0); null for an unconditional one.</summary>
    public static int? LabelOption(GeneratorExplanationContext ctx)
    {
        var gen = ctx.Generator;
        if (gen.Classes == 0)
        {
            if (ctx.OptionText("label") is not null) throw new GlassboxException($"--option label applies to conditional generators; this {gen.Kind} is unconditional.");
            return null;
        }
        return ctx.IntOption("label", 0, 0, gen.Classes - 1);
    }

    /// <summary>Decodes every base code's rows: N×R×T×C×H×W as one flat array (and writes nothing).</summary>
    public float[] DecodeAll(GeneratorExplanationContext ctx, string stage)
    {
        var gen = ctx.Generator;
        int n = Codes.Count;
        long per = (long)Dims.Length * Offsets.Length * gen.Channels * gen.Height * gen.Width;
        var all = new float[n * per];
        ctx.Observer.StageStarted(stage, n);
        for (int i = 0; i < n; i++)
        {
            ctx.Cancellation.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var images = LatentTraversal.Decode(gen, Codes.Codes[i], Codes.Centers[i], Codes.Scales[i], Dims, Offsets, Label);
            images.contiguous().data<float>().CopyTo(all.AsSpan((int)(i * per), (int)per));
            ctx.Observer.StageProgress(stage, i + 1);
        }
        ctx.Observer.StageFinished(stage, $"{n} codes × {Dims.Length} rows × {Offsets.Length} steps");
        return all;
    }

    /// <summary>Row labels: "z7  KL 2.31" (or var / index).</summary>
    public string[] RowLabels() => Dims.Select(j => Order switch
    {
        "kl" => $"z{j}  KL {Visualization.NumberFormat.Compact(Scores[j])}",
        "variance" => $"z{j}  var {Visualization.NumberFormat.Compact(Scores[j])}",
        _ => $"z{j}",
    }).ToArray();

    /// <summary>Column labels: the step in σ ("−3σ", "0", "+1.5σ").</summary>
    public string[] ColumnLabels() => Offsets.Select(t => Math.Abs(t) < 1e-9 ? "0" : (t > 0 ? "+" : "\u2212") + Math.Abs(t).ToString("0.##", CultureInfo.InvariantCulture) + "\u03c3").ToArray();

    /// <summary>Writes the base codes as codes.npy; returns the file name.</summary>
    public string WriteCodes(GeneratorExplanationContext ctx)
    {
        using var c = Codes.Codes.contiguous();
        NpyFile.Write(ctx.PathOf("codes.npy"), c.data<float>().ToArray(), [Codes.Count, ctx.Generator.LatentSize]);
        return "codes.npy";
    }

    /// <summary>The numbers both kinds report.</summary>
    public Dictionary<string, object?> Summary() => new()
    {
        ["codes"] = Codes.Count,
        ["codeSource"] = Codes.Source,
        ["sigma"] = Codes.Sigma,
        ["steps"] = Offsets.Length,
        ["offsets"] = Offsets,
        ["order"] = Order,
        ["orderSource"] = OrderSource,
        ["scores"] = Scores,
        ["dimensions"] = Dims,
        ["label"] = Label,
    };

    public void Dispose() => Codes.Dispose();
}

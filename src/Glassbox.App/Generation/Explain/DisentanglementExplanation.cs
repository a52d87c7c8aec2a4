using System.Text.Json;
using Glassbox.Data;
using Glassbox.Data.Synthetic;
using Glassbox.Generation;
using Glassbox.Generation.Explain.Disentanglement;
using Glassbox.IO;

namespace Glassbox.App.Generation.Explain;

/// <summary>
/// <c>--what disentanglement</c>: the disentanglement scorecard of a VAE trained on the synthetic factors set
/// (<c>glassbox make-factors</c>): encodes every image of <c>--data</c> to its posterior mean and computes MIG, DCI,
/// the FactorVAE score and SAP with disentanglement_lib's definitions, repeated over metric seeds for the spread.
/// Writes scorecard.json, codes.npy (N×L posterior means), a bar chart and the normalised mutual-information map.
/// </summary>
public sealed class DisentanglementExplanation : IGeneratorExplanation
{
    /// <summary>The bar chart.</summary>
    public const string ChartFile = "disentanglement.png";
    /// <summary>The mutual information heat map.</summary>
    public const string MapFile = "mutual-information.png";
    /// <summary>Every score of every seed, with the matrices.</summary>
    public const string ScorecardFile = "scorecard.json";
    /// <summary>The posterior means.</summary>
    public const string CodesFile = "codes.npy";

    /// <inheritdoc/>
    public string What => "disentanglement";

    /// <inheritdoc/>
    public string Description => "MIG, DCI, FactorVAE score and SAP of a VAE's posterior means on the synthetic factors set (--data from `glassbox make-factors`), mean ± sd over metric seeds.";

    /// <inheritdoc/>
    public bool NeedsClassifier => false;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, string> Options { get; } = new Dictionary<string, string>
    {
        ["seeds"] = "metric repetitions (different samples) for the spread. Default: 3",
        ["samples"] = "observations sampled to fit each score (disentanglement_lib: 10000; test/eval sets are half). Default: 10000",
        ["sap"] = "mixed (default: R² for the continuous factors scale/orientation/x/y, SVM accuracy for shape) or discrete (every factor by SVM accuracy, disentanglement_lib's study setting)",
    };

    /// <inheritdoc/>
    public GeneratorExplanationResult Run(GeneratorExplanationContext context)
    {
        int seeds = context.IntOption("seeds", 3, 1, 20);
        int samples = context.IntOption("samples", 10_000, 100, 100_000);
        string sapMode = context.ChoiceOption("sap", "mixed", "mixed", "discrete");
        if (context.Generator is not Vae vae)
            throw new GlassboxException($"--what disentanglement scores an encoder's code, but '{context.Request.Generator}' is a {context.Generator.Kind}; train a vae or beta-vae on the factors set (`glassbox train-generator --kind beta-vae --data <factors>`).");
        string folder = context.Request.Data
            ?? throw new GlassboxException("--what disentanglement needs the synthetic factors set: make it with `glassbox make-factors -o factors` and pass --data factors.");
        var images = MnistFormat.LoadFolder(folder, "train");
        var factors = FactorSprites.ReadFactors(folder, images.Count);
        if (images.Channels != vae.Channels || images.Height != vae.Height || images.Width != vae.Width)
            throw new GlassboxException($"The factors set has {images.Channels}×{images.Height}×{images.Width} images but the VAE encodes {vae.Channels}×{vae.Height}×{vae.Width}; train the VAE on this set.");

        context.Observer.StageStarted("Encoding", 1);
        var codes = PosteriorMeans.Encode(vae, images, cancel: context.Cancellation);
        context.Observer.StageFinished("Encoding", $"{images.Count} images → {vae.LatentSize} posterior means");
        var data = new FactorCodes(codes, vae.LatentSize, factors, FactorSprites.FactorCount, FactorSprites.FactorNames);
        var options = Settings(samples, sapMode);

        context.Observer.StageStarted("Scoring", seeds);
        var cards = new List<DisentanglementScorecard>();
        for (int s = 0; s < seeds; s++)
        {
            context.Cancellation.ThrowIfCancellationRequested();
            cards.Add(DisentanglementScorecard.Compute(data, options, context.Request.Seed + s));
            context.Observer.StageProgress("Scoring", s + 1, $"seed {context.Request.Seed + s}");
        }
        context.Observer.StageFinished("Scoring", $"{seeds} seeds");

        var names = cards[0].Scores.Select(x => x.Name).ToList();
        var means = names.Select((_, i) => cards.Average(c => c.Scores[i].Value)).ToList();
        var sds = names.Select((_, i) => StandardDeviation(cards.Select(c => c.Scores[i].Value).ToList())).ToList();

        NpyFile.Write(context.PathOf(CodesFile), codes.Select(v => (float)v).ToArray(), [images.Count, vae.LatentSize]);
        var json = new Dictionary<string, object?>
        {
            ["factors"] = FactorSprites.FactorNames,
            ["images"] = images.Count,
            ["latentSize"] = vae.LatentSize,
            ["beta"] = vae.Options.Beta,
            ["seeds"] = Enumerable.Range(context.Request.Seed, seeds).ToArray(),
            ["settings"] = new Dictionary<string, object?> { ["mig"] = options.Mig, ["dci"] = options.Dci, ["factorVae"] = options.FactorVae, ["sap"] = options.Sap, ["sapMode"] = sapMode },
            ["mean"] = names.Zip(means).ToDictionary(p => p.First, p => p.Second),
            ["sd"] = names.Zip(sds).ToDictionary(p => p.First, p => p.Second),
            ["runs"] = cards.Select(c => new Dictionary<string, object?>
            {
                ["scores"] = c.Scores.ToDictionary(x => x.Name, x => x.Value),
                ["migPerFactor"] = c.Mig.PerFactor, ["mutualInformation"] = c.Mig.MutualInformation, ["factorEntropy"] = c.Mig.FactorEntropy,
                ["dciImportance"] = c.Dci.Importance, ["dciInformativenessTrain"] = c.Dci.InformativenessTrain,
                ["factorVaeTrainAccuracy"] = c.FactorVae.TrainAccuracy, ["factorVaeActiveDimensions"] = c.FactorVae.ActiveDimensions, ["factorVaeVotes"] = c.FactorVae.Votes,
                ["sapPerFactor"] = c.Sap.PerFactor, ["sapMatrix"] = c.Sap.ScoreMatrix,
            }).ToList(),
        };
        AtomicFile.WriteAllText(context.PathOf(ScorecardFile), JsonSerializer.Serialize(json, AppJson.Options));

        string spread = seeds > 1 ? $"over {seeds} metric seeds" : "(one seed: none)";
        DisentanglementFigures.ScoreBars(context.PathOf(ChartFile), $"Disentanglement scorecard, β = {vae.Options.Beta:0.##}, {vae.LatentSize} latents",
            names, [new ScoreGroup($"β = {vae.Options.Beta:0.##}", means, sds)], spread);
        var first = cards[0].Mig;
        var normalised = first.MutualInformation.Select(row => row.Select((v, k) => v / first.FactorEntropy[k]).ToArray()).ToArray();
        DisentanglementFigures.MutualInformationMap(context.PathOf(MapFile), normalised, FactorSprites.FactorNames);

        var summary = new Dictionary<string, object?> { ["images"] = images.Count, ["seeds"] = seeds, ["factorVaeActiveDimensions"] = cards[0].FactorVae.ActiveDimensions };
        for (int i = 0; i < names.Count; i++)
        {
            string key = names[i].ToLowerInvariant().Replace(' ', '_');
            summary[key] = means[i];
            summary[key + "_sd"] = sds[i];
        }
        var figures = new List<GeneratorFigure>
        {
            new(ChartFile, $"MIG, DCI (random-forest importances), FactorVAE score and SAP ({sapMode}) of the posterior means on {images.Count} factor sprites, mean ± sd {spread}. "
                + "The spread is the metric's sampling noise only; training seeds vary far more (see `glassbox benchmark --disentanglement`)."),
            new(MapFile, $"I(z_d; v_k) / H(v_k) with 20-bin histograms (seed {context.Request.Seed}): a disentangled code has one bright cell per column and per row; MIG is the gap between a column's two brightest cells."),
        };
        return new GeneratorExplanationResult(figures, [ScorecardFile, CodesFile], summary);
    }

    /// <summary>disentanglement_lib's settings with <paramref name="samples"/> training observations (test/eval sets half of it).</summary>
    internal static DisentanglementOptions Settings(int samples, string sapMode) => new(
        new MigOptions(TrainCount: samples),
        new DciOptions(TrainCount: samples, TestCount: samples / 2),
        new FactorVaeScoreOptions(TrainCount: samples, EvalCount: samples / 2, VarianceCount: samples),
        new SapOptions(TrainCount: samples, TestCount: samples / 2, Continuous: sapMode == "mixed" ? FactorSprites.Continuous : null));

    internal static double StandardDeviation(IReadOnlyList<double> values)
    {
        if (values.Count < 2) return 0;
        double mean = values.Average();
        return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
    }
}

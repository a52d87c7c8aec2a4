using System.Diagnostics;
using System.Text.Json;
using Glassbox.App.Generation.Explain;
using Glassbox.Data.Synthetic;
using Glassbox.Generation;
using Glassbox.Generation.Explain.Disentanglement;
using Glassbox.IO;
using TorchSharp;

namespace Glassbox.App;

/// <summary>Settings of <see cref="DisentanglementSweep"/>.</summary>
/// <param name="Betas">KL weights to train (β = 1 is the plain VAE).</param>
/// <param name="Seeds">Training seeds per β (weights, shuffling, noise); the metrics use the same seed.</param>
/// <param name="Epochs">Passes over the factors set per model.</param>
/// <param name="LatentSize">Latent dimensions (disentanglement_lib's models use 10).</param>
/// <param name="BatchSize">Images per step (disentanglement_lib: 64).</param>
/// <param name="Samples">Observations per score (disentanglement_lib: 10,000; test/eval sets half).</param>
/// <param name="Out">Folder for the sweep's JSON and chart.</param>
/// <param name="Threads">libtorch threads (0 = default).</param>
public sealed record DisentanglementSweepOptions(
    IReadOnlyList<double> Betas, IReadOnlyList<int> Seeds, int Epochs = 6, int LatentSize = 10, int BatchSize = 64,
    int Samples = 10_000, string Out = "disentanglement-sweep", int Threads = 0)
{
    /// <summary>Throws a <see cref="GlassboxException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Betas.Count == 0 || Betas.Any(b => !(b >= 0 && double.IsFinite(b)))) throw new GlassboxException("Give one or more β values ≥ 0, e.g. 1,4.");
        if (Seeds.Count == 0) throw new GlassboxException("Give one or more training seeds, e.g. 0,1.");
        if (Epochs < 1) throw new GlassboxException($"Epochs must be at least 1, not {Epochs}.");
        if (LatentSize < 2) throw new GlassboxException($"The scores compare code dimensions: the latent size must be at least 2, not {LatentSize}.");
        if (Samples < 100) throw new GlassboxException($"Use at least 100 samples per score, not {Samples}.");
        OutputLayout.CheckFolderName(Out);
    }
}

/// <summary>One trained model of the sweep.</summary>
/// <param name="Beta">β.</param>
/// <param name="Seed">Training and metric seed.</param>
/// <param name="Scores">The scorecard's headline numbers.</param>
/// <param name="Reconstruction">Reconstruction term of the last epoch (nats per image).</param>
/// <param name="Kl">KL term of the last epoch (nats per image).</param>
/// <param name="ActiveDimensions">Latent dimensions with KL above 0.01 nats in the last epoch.</param>
/// <param name="TrainSeconds">Training wall time.</param>
/// <param name="ScoreSeconds">Encoding and scoring wall time.</param>
public sealed record DisentanglementSweepRun(double Beta, int Seed, IReadOnlyDictionary<string, double> Scores, double Reconstruction, double Kl,
    int ActiveDimensions, double TrainSeconds, double ScoreSeconds);

/// <summary>What the sweep measured.</summary>
/// <param name="Runs">One row per (β, seed).</param>
/// <param name="ScoreNames">The scores, in table order.</param>
/// <param name="Images">Factor sprites trained on and scored.</param>
/// <param name="Seconds">Wall time of the whole sweep.</param>
/// <param name="Files">Files written.</param>
/// <param name="Options">The settings.</param>
public sealed record DisentanglementSweepResult(IReadOnlyList<DisentanglementSweepRun> Runs, IReadOnlyList<string> ScoreNames, int Images,
    double Seconds, IReadOnlyList<string> Files, DisentanglementSweepOptions Options)
{
    /// <summary>Mean and sample standard deviation over seeds of <paramref name="value"/> for β = <paramref name="beta"/>.</summary>
    public (double Mean, double Sd) Spread(double beta, Func<DisentanglementSweepRun, double> value)
    {
        var v = Runs.Where(r => r.Beta == beta).Select(value).ToList();
        return (v.Average(), DisentanglementExplanation.StandardDeviation(v));
    }
}

/// <summary>
/// The β sweep of the disentanglement scorecard (Higgins et al. 2017; Locatello et al. 2019): trains a VAE for every
/// (β, seed) on the full factor-sprites grid, encodes it to posterior means and computes MIG, DCI, the FactorVAE
/// score and SAP (SAP: R² for the continuous factors, SVM accuracy for shape); writes every run to
/// disentanglement-sweep.json and a bar chart of the mean ± sd over seeds per β.
/// </summary>
public static class DisentanglementSweep
{
    /// <summary>The sweep's JSON file.</summary>
    public const string JsonFile = "disentanglement-sweep.json";
    /// <summary>The sweep's chart.</summary>
    public const string ChartFile = "disentanglement-sweep.png";

    /// <summary>Runs the sweep, logging one line per model to <paramref name="log"/>.</summary>
    public static DisentanglementSweepResult Run(DisentanglementSweepOptions options, Action<string>? log = null, CancellationToken cancel = default)
    {
        options.Validate();
        log ??= _ => { };
        var clock = Stopwatch.StartNew();
        var set = FactorSprites.Create(new FactorSpritesOptions(Seed: 0));
        var images = set.ToDataset();
        var scoring = DisentanglementExplanation.Settings(options.Samples, "mixed");
        var runs = new List<DisentanglementSweepRun>();
        IReadOnlyList<string> names = [];
        foreach (double beta in options.Betas)
            foreach (int seed in options.Seeds)
            {
                cancel.ThrowIfCancellationRequested();
                Glassbox.Engine.TorchContext.Create("cpu", options.Threads, seed);
                var train = Stopwatch.StartNew();
                using var vae = new Vae(new VaeOptions(LatentSize: options.LatentSize, Beta: beta), seed);
                var history = new GeneratorTrainer(new GeneratorTrainingOptions(options.Epochs, options.BatchSize, Seed: seed)).Train(vae, images, cancel: cancel);
                double trainSeconds = train.Elapsed.TotalSeconds;
                var score = Stopwatch.StartNew();
                var codes = PosteriorMeans.Encode(vae, images, cancel: cancel);
                var card = DisentanglementScorecard.Compute(new FactorCodes(codes, options.LatentSize, set.Factors, FactorSprites.FactorCount, FactorSprites.FactorNames), scoring, seed);
                names = card.Scores.Select(s => s.Name).ToList();
                var last = history.Epochs[^1];
                var run = new DisentanglementSweepRun(beta, seed, card.Scores.ToDictionary(s => s.Name, s => s.Value),
                    last.Losses["reconstruction"], last.Losses["kl"], last.KlPerDimension!.Count(k => k > 0.01), trainSeconds, score.Elapsed.TotalSeconds);
                runs.Add(run);
                log($"β = {beta:0.##}, seed {seed}: trained {trainSeconds:F0} s, scored {run.ScoreSeconds:F0} s; "
                    + string.Join(", ", card.Scores.Select(s => $"{s.Name} {s.Value:F3}")));
            }

        Directory.CreateDirectory(options.Out);
        var result = new DisentanglementSweepResult(runs, names, images.Count, clock.Elapsed.TotalSeconds,
            [Path.Combine(options.Out, JsonFile), Path.Combine(options.Out, ChartFile)], options);
        var groups = options.Betas.Select(b => new ScoreGroup($"β = {b:0.##}",
            names.Select(n => result.Spread(b, r => r.Scores[n]).Mean).ToList(),
            names.Select(n => result.Spread(b, r => r.Scores[n]).Sd).ToList())).ToList();
        DisentanglementFigures.ScoreBars(Path.Combine(options.Out, ChartFile),
            $"VAE vs β-VAE on factor sprites ({options.Seeds.Count} training seeds, {options.Epochs} epochs)", names, groups, $"over {options.Seeds.Count} training seeds");
        AtomicFile.WriteAllText(Path.Combine(options.Out, JsonFile), JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["format"] = "glassbox-disentanglement-sweep",
            ["options"] = options,
            ["images"] = images.Count,
            ["scoring"] = scoring,
            ["runs"] = runs,
            ["seconds"] = result.Seconds,
        }, AppJson.Options));
        return result;
    }
}

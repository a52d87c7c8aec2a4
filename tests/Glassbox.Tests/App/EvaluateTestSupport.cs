using Glassbox.App;
using Glassbox.Attribution;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.IO;
using Glassbox.Metrics;
using Glassbox.Models;
using Glassbox.Tests.Data;
using Glassbox.Tests.IO;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.App;

/// <summary>Models, data folders and stand-in metrics for the evaluate tests.</summary>
internal static class EvaluateTestSupport
{
    /// <summary>The existing metrics the tests run (deletion with few steps keeps them quick).</summary>
    public const string Metrics = "deletion,completeness,sparseness,spearman-rank-correlation";

    /// <summary>A pooled CNN with fresh (seeded) weights, saved as a checkpoint in <paramref name="dir"/>.</summary>
    public static string Checkpoint(TempDirectory dir)
    {
        string ckpt = dir.File("ckpt");
        if (Directory.Exists(ckpt)) return ckpt;
        torch.manual_seed(1);
        using var model = new ImageClassifier(new ModelInfo(Architecture.PooledCnn, 1, 28, 28, MnistFormat.DigitClassNames));
        Glassbox.Checkpoints.Checkpoint.Save(ckpt, model);
        return ckpt;
    }

    public static EvaluateRequest Request(string model, string output, string methods = "saliency,integrated-gradients", string metrics = Metrics,
        int images = 6, string? data = null)
        => new(model, data ?? RepoPaths.MnistSample, output, methods.Split(',', StringSplitOptions.RemoveEmptyEntries), metrics, images, Bootstrap: 200);

    /// <summary>An MNIST-format folder of 8×8 images (train and test) for the 8×8 fixture models, with evidence masks when asked.</summary>
    public static string SmallData(TempDirectory dir, int test = 8, bool masks = false)
    {
        string folder = dir.File("data8");
        Directory.CreateDirectory(folder);
        var rng = new Random(3);
        foreach (var (prefix, count) in new[] { ("train", 12), ("t10k", test) })
        {
            var pixels = new byte[count * 64];
            rng.NextBytes(pixels);
            IdxFile.Write(Path.Combine(folder, $"{prefix}-images-idx3-ubyte"), [count, 8, 8], pixels, gzip: false);
            IdxFile.Write(Path.Combine(folder, $"{prefix}-labels-idx1-ubyte"), [count], Enumerable.Range(0, count).Select(i => (byte)(i % 3)).ToArray(), gzip: false);
        }
        File.WriteAllText(Path.Combine(folder, "classes.txt"), "a\nb\nc\n");
        if (masks)
        {
            var m = new byte[test * 64];
            for (int i = 0; i < test; i++) for (int p = 0; p < 16; p++) m[i * 64 + p] = 1; // the top two rows
            NpyFile.Write(Path.Combine(folder, EvaluationInputs.MasksFileName), m, [test, 8, 8]);
        }
        return folder;
    }

    public static string Fixture(string name) => Path.Combine(RepoPaths.Root, "tests", "fixtures", "models", name);

    /// <summary>The default catalog plus stand-ins for the metric kinds the branch does not have yet.</summary>
    public static MetricCatalog CatalogWithStandIns()
        => new(MetricCatalog.Default.Entries.Concat(
        [
            new MetricEntry(new GradientNorm(), "Mean |∂f/∂x| (test stand-in for a gradient metric)."),
            new MetricEntry(new TopRowsMass(), "Share of |φ| inside the mask (test stand-in for a localisation metric)."),
            new MetricEntry(new ReexplainedCorrelation(), "Agreement with a re-explanation (test stand-in for a robustness metric)."),
            new MetricEntry(new CascadeStandIn(), "Maps fading step by step (test stand-in for a model-randomisation metric)."),
            MetricEntry.Of<SampledOptions>(o => new Sampled(o ?? new SampledOptions()), "Stand-in with 200 samples per map (slow by its default)."),
        ]));

    /// <summary>Needs gradients: the mean |∂f_target/∂x| of each image.</summary>
    public sealed class GradientNorm : IExplanationMetric
    {
        public string Name => "gradient-norm";
        public MetricCategory Category => MetricCategory.Robustness;
        public bool HigherIsBetter => false;
        public MetricRequirement Requirement => MetricRequirement.Gradients;

        public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, CancellationToken cancel = default)
        {
            using var x = inputs.detach().clone().requires_grad_(true);
            var logits = model.Forward(x);
            var picked = logits.gather(1, torch.tensor(explanation.Targets.Select(t => (long)t).ToArray(), [explanation.Count, 1])).sum();
            picked.backward();
            var g = x.grad!.abs().mean([1, 2, 3]).to_type(ScalarType.Float64).data<double>().ToArray();
            return new MetricResult(Name, g, new object());
        }
    }

    /// <summary>Localisation: share of Σ|φ| that falls inside the mask.</summary>
    public sealed class TopRowsMass : ILocalisationMetric
    {
        public string Name => "mask-mass";
        public MetricCategory Category => MetricCategory.Localisation;
        public bool HigherIsBetter => true;
        public MetricRequirement Requirement => MetricRequirement.None;

        public MetricResult Evaluate(Explanation explanation, Tensor masks, CancellationToken cancel = default)
        {
            var m = masks.to_type(ScalarType.Float32).contiguous().data<float>().ToArray();
            int d = explanation.MapSize, n = explanation.Count, k = explanation.TargetsPerInput;
            var scores = new double[n * k];
            for (int i = 0; i < n * k; i++)
            {
                var map = explanation.Values.AsSpan(i * d, d);
                double inside = 0, all = 0;
                for (int p = 0; p < d; p++)
                {
                    all += Math.Abs(map[p]);
                    if (m[i / k * d + p] != 0) inside += Math.Abs(map[p]);
                }
                scores[i] = all == 0 ? double.NaN : inside / all;
            }
            return new MetricResult(Name, scores, new object());
        }
    }

    /// <summary>Re-explains the same inputs and scores the agreement (1 for a deterministic method); counts its calls.</summary>
    public sealed class ReexplainedCorrelation : IReexplainingMetric
    {
        public int Calls;
        public string Name => "reexplained";
        public MetricCategory Category => MetricCategory.Robustness;
        public bool HigherIsBetter => true;
        public MetricRequirement Requirement => MetricRequirement.Forward;

        public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, ExplainFunction explain, CancellationToken cancel = default)
        {
            Interlocked.Increment(ref Calls);
            var again = explain(model, inputs, TargetSelection.PerInput(explanation.Targets), cancel);
            int d = explanation.MapSize;
            var scores = Enumerable.Range(0, explanation.Count).Select(i =>
                Glassbox.Metrics.Agreement.SpearmanRankCorrelation.Compute(explanation.Values.AsSpan(i * d, d), again.Values.AsSpan(i * d, d))).ToArray();
            return new MetricResult(Name, scores, new object());
        }
    }

    /// <summary>Records the methods whose scoring finished and can cancel after the first.</summary>
    public sealed class RecordingObserver(CancellationTokenSource? cancelAfterFirst = null) : IRunObserver
    {
        public List<string> Finished { get; } = [];
        public void StageStarted(string stage, double total) { }
        public void StageProgress(string stage, double done, string? detail = null) { }
        public void StageFinished(string stage, string summary)
        {
            if (stage == "evaluate") return;
            Finished.Add(stage);
            cancelAfterFirst?.Cancel();
        }
    }

    public sealed record SampledOptions(
        [property: Glassbox.Attribution.Catalog.Option("nr-samples", Min = 1, Help = "samples per map")] int Samples = 200);

    /// <summary>A metric with an option schema: every score is its sample count.</summary>
    public sealed class Sampled(SampledOptions options) : IExplanationMetric
    {
        public SampledOptions Options { get; } = options;
        public string Name => "sampled";
        public MetricCategory Category => MetricCategory.Robustness;
        public bool HigherIsBetter => false;
        public MetricRequirement Requirement => MetricRequirement.Forward;
        public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, CancellationToken cancel = default)
            => new(Name, Enumerable.Repeat((double)Options.Samples, explanation.Count * explanation.TargetsPerInput).ToArray(), Options);
    }

    /// <summary>Re-explains once, then pretends each of three layers, randomised in turn, fades the maps by half.</summary>
    public sealed class CascadeStandIn : IReexplainingMetric
    {
        public string Name => "cascade";
        public MetricCategory Category => MetricCategory.Randomisation;
        public bool HigherIsBetter => false;
        public MetricRequirement Requirement => MetricRequirement.Gradients;

        public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, ExplainFunction explain, CancellationToken cancel = default)
        {
            var original = explain(model, inputs, TargetSelection.PerInput(explanation.Targets), cancel);
            string[] steps = ["original", "fc2", "fc1", "conv2"];
            int maps = explanation.Count * explanation.TargetsPerInput;
            var rng = new Random(0);
            var first = original.Map(0, 0).ToArray();
            var firstMaps = steps.Select((_, s) => first.Select(v => (float)(v * Math.Pow(0.5, s) + (s == 0 ? 0 : 0.02 * s * (rng.NextDouble() - 0.5)))).ToArray()).ToArray();
            var scores = steps.Select((_, s) => Enumerable.Repeat(1 - 0.3 * s, maps).ToArray()).ToArray();
            var detail = new Glassbox.Metrics.Randomisation.RandomisationCascade(steps, "spearman", scores, firstMaps,
                [explanation.Shape[2], explanation.Shape[3], explanation.Shape[4]], Cascading: true);
            return new MetricResult(Name, scores[^1], new object(), detail);
        }
    }
}

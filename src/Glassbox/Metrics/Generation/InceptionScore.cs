using Glassbox.Attribution.Catalog;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Generation;

/// <summary>Settings for <see cref="InceptionScore"/> (torchmetrics defaults).</summary>
/// <param name="Splits">Consecutive near-equal groups of samples scored separately (torchmetrics <c>splits</c> = 10).</param>
public sealed record InceptionScoreOptions(
    [property: Option("splits", Reference = "splits", Min = 1, Max = 1000000, Help = "Groups of samples scored separately (mean ± std over groups)")] int Splits = 10);

/// <summary>An inception score: mean and spread over the splits.</summary>
/// <param name="Mean">Mean of the splits' scores (1 = every prediction the same; K = confident and uniform over K classes).</param>
/// <param name="Std">Sample standard deviation (N−1) over the splits, as torchmetrics' <c>std()</c>; 0 with one split.</param>
/// <param name="Values">Each split's score.</param>
public sealed record InceptionScoreResult(double Mean, double Std, double[] Values);

/// <summary>
/// The inception score (Salimans et al. 2016, "Improved Techniques for Training GANs") from a classifier's class
/// probabilities p(y|x) (N×K, rows summing to 1): per split, exp(E_x KL(p(y|x) ‖ p(y))) with p(y) the split's mean
/// prediction and 0·log 0 = 0; mean ± std over the splits as torchmetrics' <c>InceptionScore</c>. Splits are consecutive
/// near-equal groups in the given order (torchmetrics shuffles first; shuffle the rows yourself to match it).
/// </summary>
public sealed class InceptionScore
{
    private const string Name = "Inception score";

    /// <summary>The metric with <paramref name="options"/> (null = defaults); bad settings are an error here.</summary>
    public InceptionScore(InceptionScoreOptions? options = null)
    {
        Options = options ?? new InceptionScoreOptions();
        if (Options.Splits < 1)
            throw new GlassboxException($"{Name}: splits must be ≥ 1, got {Options.Splits}.");
    }

    /// <summary>The settings.</summary>
    public InceptionScoreOptions Options { get; }

    /// <summary>The score of <paramref name="probabilities"/> (N×K softmax outputs, N ≥ splits).</summary>
    public InceptionScoreResult Compute(double[,] probabilities)
    {
        FeatureMatrix.Check(probabilities, Name, "probability", Options.Splits, $"{Options.Splits} split(s) of at least one sample each");
        int n = probabilities.GetLength(0), k = probabilities.GetLength(1);
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int c = 0; c < k; c++)
            {
                double p = probabilities[i, c];
                if (p < 0 || p > 1)
                    throw new GlassboxException($"{Name}: row {i} holds {p} at class {c}; give class probabilities in [0, 1] (apply softmax to logits).");
                sum += p;
            }
            if (Math.Abs(sum - 1) > 1e-3)
                throw new GlassboxException($"{Name}: row {i} sums to {sum}, not 1; give softmax probabilities, not logits.");
        }
        var values = new double[Options.Splits];
        for (int s = 0; s < values.Length; s++)
        {
            int from = (int)((long)n * s / values.Length), to = (int)((long)n * (s + 1) / values.Length);
            var marginal = new double[k];
            for (int i = from; i < to; i++)
                for (int c = 0; c < k; c++) marginal[c] += probabilities[i, c] / (to - from);
            double kl = 0;
            for (int i = from; i < to; i++)
                for (int c = 0; c < k; c++)
                {
                    double p = probabilities[i, c];
                    if (p > 0) kl += p * (Math.Log(p) - Math.Log(marginal[c]));
                }
            values[s] = Math.Exp(kl / (to - from));
        }
        double mean = values.Average();
        double std = values.Length > 1 ? Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1)) : 0;
        return new InceptionScoreResult(mean, std, values);
    }

    /// <summary>The score of an N×K tensor of class probabilities.</summary>
    public InceptionScoreResult Compute(Tensor probabilities) => Compute(FeatureMatrix.FromTensor(probabilities, Name, "probability"));
}

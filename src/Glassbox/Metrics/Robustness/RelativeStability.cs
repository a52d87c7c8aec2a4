using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Robustness;

/// <summary>Settings for <see cref="RelativeInputStability"/> and <see cref="RelativeOutputStability"/> (Quantus' defaults).</summary>
/// <param name="NrSamples">Perturbed copies per image (Quantus <c>nr_samples</c>, 200).</param>
/// <param name="LowerBound">Smallest uniform noise added to every pixel (Quantus' <c>uniform_noise</c> <c>lower_bound</c>, 0.02).</param>
/// <param name="UpperBound">Largest uniform noise (Quantus passes <c>upper_bound=0.2</c>, so the noise is U(0.02, 0.2), never negative).</param>
/// <param name="EpsMin">Guard against division by zero (Quantus <c>eps_min</c>, 1e-6).</param>
/// <param name="NanWhenPredictionChanges">A copy that changes the predicted class makes the map's score NaN (Quantus
/// <c>return_nan_when_prediction_changes</c>, true: its maximum over the copies is then NaN).</param>
/// <param name="Seed">Seed of the noise generator.</param>
/// <param name="BatchSize">Perturbed images per call of the explain function and per forward pass.</param>
public sealed record RelativeStabilityOptions(
    [property: Option("nr-samples", Reference = "nr_samples", Min = 1, Max = 100000, Help = "Perturbed copies per image")] int NrSamples = 200,
    [property: Option("lower-bound", Reference = "lower_bound", Min = -1e6, Max = 1e6, Help = "Smallest uniform input noise")] double LowerBound = 0.02,
    [property: Option("upper-bound", Reference = "upper_bound", Min = -1e6, Max = 1e6, Help = "Largest uniform input noise")] double UpperBound = 0.2,
    [property: Option("eps-min", Reference = "eps_min", Min = 0, Max = 1, Help = "Guard against division by zero")] double EpsMin = 1e-6,
    [property: Option("nan-when-prediction-changes", Reference = "return_nan_when_prediction_changes", Help = "NaN when a copy changes the predicted class")] bool NanWhenPredictionChanges = true,
    [property: Option("seed", Help = "Seed of the noise")] int Seed = 0,
    [property: Option("batch-size", Min = 1, Max = 1000000, Help = "Perturbed images per explain call")] int BatchSize = 64);

/// <summary>
/// Relative stability (Agarwal et al. 2022, "Rethinking Stability for Attribution-based Explanations"): the largest
/// ‖(φ(x) − φ(x′)) / φ(x)‖₂ relative to a change of the input or of the logits, over copies x′ = x + U(0.02, 0.2), as
/// Quantus' <c>RelativeInputStability</c> and <c>RelativeOutputStability</c>.
/// </summary>
internal static class RelativeStability
{
    /// <summary>What the change of the explanation is relative to.</summary>
    public enum Reference { Input, Output, Representation }

    public static MetricResult Evaluate(string name, Reference reference, RelativeStabilityOptions o, IImageModel model, Tensor inputs,
        Explanation explanation, ExplainFunction explain, CancellationToken cancel, Func<Tensor, float[][]>? representation = null, object? settings = null)
    {
        if (!double.IsFinite(o.LowerBound) || !double.IsFinite(o.UpperBound) || !(o.UpperBound > o.LowerBound))
            throw new GlassboxException($"{name} needs an upper noise bound above the lower one, not [{o.LowerBound}, {o.UpperBound}].");
        var scores = PerturbationRun.Scores(model, inputs, explanation, explain, name, o.NrSamples, o.Seed,
            PerturbationRun.Uniform(o.LowerBound, o.UpperBound), needLogits: true, o.BatchSize,
            (image, k, s, a, b) =>
            {
                if (o.NanWhenPredictionChanges && image.PredictionChanges(s)) return double.NaN;
                double denominator = reference switch
                {
                    Reference.Output => RelativeChange(image.Logits!.Select(v => (float)v).ToArray(), image.PerturbedLogits![s].Select(v => (float)v).ToArray(), o.EpsMin),
                    Reference.Representation => RelativeChange(image.Representation, image.PerturbedRepresentations![s], o.EpsMin),
                    _ => RelativeChange(image.Pixels, image.Copy(s), o.EpsMin),
                };
                if (denominator == 0) denominator += o.EpsMin;
                return RelativeChange(a, b, o.EpsMin) / denominator;
            },
            PerturbationRun.Max, cancel, representation);
        return new MetricResult(name, scores, settings ?? o);
    }

    /// <summary>‖(a − b) / (a + [a = 0]·eps)‖₂: the change from a to b relative to a, element by element.</summary>
    public static double RelativeChange(ReadOnlySpan<float> a, ReadOnlySpan<float> b, double eps)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double r = ((double)a[i] - b[i]) / (a[i] == 0 ? eps : a[i]);
            s += r * r;
        }
        return Math.Sqrt(s);
    }
}

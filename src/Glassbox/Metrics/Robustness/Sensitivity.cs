using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Robustness;

/// <summary>Settings for <see cref="MaxSensitivity"/> and <see cref="AvgSensitivity"/> (Captum's <c>sensitivity_max</c> defaults).</summary>
/// <param name="PerturbRadius">Radius of the L∞ ball the uniform noise is drawn from (Captum <c>perturb_radius</c>, 0.02; Quantus uses 0.2).</param>
/// <param name="NPerturbSamples">Perturbed copies per image (Captum <c>n_perturb_samples</c>, 10; Quantus <c>nr_samples</c> 200).</param>
/// <param name="Normalise">Divide ‖φ(x) − φ(x′)‖ by ‖φ(x)‖ (Captum does, with a zero norm counted as 1; Quantus divides by ‖x‖ instead).</param>
/// <param name="Seed">Seed of the noise generator (libtorch's CPU generator, so the draws equal <c>torch.manual_seed(seed)</c>'s).</param>
/// <param name="BatchSize">Perturbed images per call of the explain function (Captum <c>max_examples_per_batch</c>; does not change the scores).</param>
public sealed record SensitivityOptions(
    [property: Option("perturb-radius", Reference = "perturb_radius", Min = 0, Max = 1e6, Help = "Radius of the L-infinity ball of the uniform input noise")] double PerturbRadius = 0.02,
    [property: Option("n-perturb-samples", Reference = "n_perturb_samples", Min = 1, Max = 100000, Help = "Perturbed copies per image")] int NPerturbSamples = 10,
    [property: Option("normalise", Help = "Divide by the norm of the explanation (Captum) or not")] bool Normalise = true,
    [property: Option("seed", Help = "Seed of the noise")] int Seed = 0,
    [property: Option("batch-size", Reference = "max_examples_per_batch", Min = 1, Max = 1000000, Help = "Perturbed images per explain call")] int BatchSize = 64);

/// <summary>
/// The sensitivity of an explanation (Yeh et al. 2019, "On the (In)fidelity and Sensitivity of Explanations"), as Captum's
/// <c>sensitivity_max</c>: for copies x′ = x + u, u uniform in the L∞ ball of radius r, the ratio
/// ‖φ(x) − φ(x′)‖_F / ‖φ(x)‖_F, reduced over the copies by the maximum or the mean.
/// </summary>
internal static class Sensitivity
{
    public static MetricResult Evaluate(string name, bool max, SensitivityOptions o, IImageModel model, Tensor inputs,
        Explanation explanation, ExplainFunction explain, MetricWorkCache cache, CancellationToken cancel)
    {
        if (!(o.PerturbRadius >= 0) || !double.IsFinite(o.PerturbRadius))
            throw new GlassboxException($"{name} needs a finite perturbation radius ≥ 0, not {o.PerturbRadius}.");
        var ratios = cache.GetOrAdd("sensitivity", o, [model, inputs, explanation, explain],
            () => Ratios(name, o, model, inputs, explanation, explain, cancel));
        Func<double[], double> reduce = max ? PerturbationRun.Max : v => v.Average();
        var scores = ratios.Select(reduce).ToArray();
        return new MetricResult(name, scores, o);
    }

    /// <summary>‖φ(x) − φ(x′)‖ / ‖φ(x)‖ (or without the denominator) for every copy x′ of every map: what max and mean reduce.</summary>
    private static double[][] Ratios(string name, SensitivityOptions o, IImageModel model, Tensor inputs, Explanation explanation,
        ExplainFunction explain, CancellationToken cancel)
    {
        var norms = new Dictionary<(int, int), double>();
        double Denominator(PerturbedImage image, int k, ReadOnlySpan<float> original)
        {
            if (!o.Normalise) return 1;
            if (!norms.TryGetValue((image.Index, k), out double norm))
                norms[(image.Index, k)] = norm = PerturbationRun.Norm(original);
            return norm == 0 ? 1 : norm;
        }
        return PerturbationRun.SampleScores(model, inputs, explanation, explain, name, o.NPerturbSamples, o.Seed,
            PerturbationRun.Uniform(-o.PerturbRadius, o.PerturbRadius), needLogits: false, o.BatchSize,
            (image, k, s, a, b) => PerturbationRun.Distance(a, b) / Denominator(image, k, a), cancel);
    }
}

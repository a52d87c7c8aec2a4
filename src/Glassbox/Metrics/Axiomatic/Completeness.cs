using Glassbox.Attribution.Catalog;
using Glassbox.Attribution;
using Glassbox.Metrics.Common;
using Glassbox.Models;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Axiomatic;

/// <summary>Settings for <see cref="Completeness"/>.</summary>
/// <param name="Baseline">The reference input x′ of f(x′). Null = the explanation's own base values (the reference its method
/// attributed against), falling back to black (zeros, Quantus' <c>perturb_baseline="black"</c>) where it has none; given =
/// f(baseline) evaluated by the model for every map.</param>
/// <param name="Tolerance">Relative bound for <see cref="CompletenessReport.Failures"/>: an error fails above
/// tolerance · max(1, |f(x)|). Null = the explanation's own <see cref="Explanation.AdditivityTolerance"/>.</param>
/// <param name="BatchSize">Images per forward pass when the model is evaluated.</param>
public sealed record CompletenessOptions(
    [property: Option("baselines", Default = "the explanation's own", Help = "The baseline x′ of f(x) − f(x′) (zeros, constant:V, blur[:σ], file.npy)")] Baseline? Baseline = null,
    [property: Option("tolerance", Min = 0, Max = 1, Default = "the method's own", Help = "Relative bound an error must stay under: tolerance · max(1, |f(x)|)")] double? Tolerance = null,
    [property: Option("batch-size", Min = 1, Max = 65536, Help = "Images per forward pass")] int BatchSize = 256);

/// <summary>
/// Completeness (Sundararajan et al. 2017; summation-to-delta, Shrikumar et al. 2017; conservation, Montavon et al.
/// 2018), as Quantus' <c>Completeness</c> but graded: each map scores |f(x) − f(x′) − Σφ| in the explanation's output
/// space (0 = complete; Quantus reports only whether it is exactly 0). Attributions are used as given (Quantus
/// normalises them by default, which breaks the identity). The detail is a <see cref="CompletenessReport"/>.
/// </summary>
public sealed class Completeness(CompletenessOptions? options = null) : IExplanationMetric
{
    /// <summary>The settings.</summary>
    public CompletenessOptions Options { get; } = options ?? new CompletenessOptions();

    /// <inheritdoc/>
    public string Name => "completeness";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Axiomatic;
    /// <inheritdoc/>
    public bool HigherIsBetter => false;
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.Forward;

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, CancellationToken cancel = default)
    {
        MetricInputs.CheckExplained(model, inputs, explanation, Name);
        if (Options.BatchSize < 1) throw new GlassboxException("Completeness needs a batch size of at least 1.");
        int n = explanation.Count, k = explanation.TargetsPerInput, count = n * k;
        var outputs = (double[])explanation.Outputs.Clone();
        var bases = (double[])explanation.BaseValues.Clone();
        if (outputs.Length != count || bases.Length != count)
            throw new GlassboxException($"Completeness: the explanation from {explanation.Method} has {outputs.Length} outputs and {bases.Length} base values for {count} maps.");
        if (outputs.Any(v => !double.IsFinite(v)))
            Fill(outputs, Scores(model, inputs, explanation), onlyMissing: true);
        if (Options.Baseline is not null || bases.Any(v => !double.IsFinite(v)))
        {
            using var reference = (Options.Baseline ?? Baseline.Zeros).PerInput(inputs);
            Fill(bases, Scores(model, reference, explanation), onlyMissing: Options.Baseline is null);
        }
        cancel.ThrowIfCancellationRequested();
        var errors = new double[count];
        for (int i = 0; i < count; i++)
        {
            double sum = 0;
            foreach (float v in explanation.Values.AsSpan(i * explanation.MapSize, explanation.MapSize)) sum += v;
            errors[i] = Math.Abs(outputs[i] - bases[i] - sum);
        }
        var checkedExplanation = explanation with
        {
            Outputs = outputs, BaseValues = bases, AdditivityErrors = errors,
            AdditivityTolerance = Options.Tolerance ?? explanation.AdditivityTolerance,
        };
        return new MetricResult(Name, errors, Options, CompletenessReport.Of(checkedExplanation));
    }

    /// <summary>f at [n·K+k]: each image repeated for its K targets.</summary>
    private double[] Scores(IImageModel model, Tensor images, Explanation e)
    {
        int k = e.TargetsPerInput;
        using var repeated = images.repeat_interleave(k, 0);
        return MetricInputs.ClassScores(model, repeated, e.Output, e.Targets, Options.BatchSize);
    }

    private static void Fill(double[] into, double[] computed, bool onlyMissing)
    {
        for (int i = 0; i < into.Length; i++)
            if (!onlyMissing || !double.IsFinite(into[i])) into[i] = computed[i];
    }
}

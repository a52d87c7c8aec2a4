namespace Glassbox.App;

/// <summary>Mean curves of a metric whose detail is a set of per-map curves (deletion, insertion): what the figure draws.</summary>
/// <param name="Fractions">Share of pixels removed (or inserted) at each point.</param>
/// <param name="Attribution">Mean explained output in attribution order.</param>
/// <param name="Random">Mean explained output in random order, or null.</param>
public sealed record CurveSummary(double[] Fractions, double[] Attribution, double[]? Random);

/// <summary>What a model-randomisation metric saw, reduced for the figures.</summary>
/// <param name="Steps">Step names ("original", then the randomised layers).</param>
/// <param name="Similarity">Similarity measure's name.</param>
/// <param name="MeanSimilarity">Mean (finite) similarity to the original maps at each step.</param>
/// <param name="FirstMaps">The first map at each step (C·H·W values).</param>
/// <param name="MapShape">C, H, W of the maps.</param>
/// <param name="Cascading">True when layers stay randomised from the top down.</param>
public sealed record CascadeSummary(IReadOnlyList<string> Steps, string Similarity, double[] MeanSimilarity, float[][] FirstMaps, int[] MapShape, bool Cascading);

/// <summary>One metric's scores of one explanation, as stored in results/&lt;method&gt;.json.</summary>
/// <param name="Metric">Metric name.</param>
/// <param name="Category">The question it answers (lower case).</param>
/// <param name="HigherIsBetter">True when larger scores are better.</param>
/// <param name="Scores">One score per map [n·K+k]; empty when skipped.</param>
/// <param name="Seconds">Time the metric took.</param>
/// <param name="Skipped">Why it did not run, or null.</param>
/// <param name="Curves">Mean curves, for metrics that return them.</param>
/// <param name="Cascade">Randomisation steps, for metrics that return them.</param>
public sealed record MetricRecord(string Metric, string Category, bool HigherIsBetter, double[] Scores, double Seconds, string? Skipped,
    CurveSummary? Curves = null, CascadeSummary? Cascade = null);

/// <summary>Everything one explanation (a method, or the external maps) produced: written as soon as it is done, read back on resume.</summary>
/// <param name="Method">Method name (or "external").</param>
/// <param name="Key">Hash of the settings that produced it; a rerun with other settings recomputes.</param>
/// <param name="ExplainSeconds">Time the method took to explain the images (0 for external maps).</param>
/// <param name="Skipped">Why the method could not run on this model, or null.</param>
/// <param name="Metrics">Per metric.</param>
/// <param name="MethodOptions">The method's options by flag (what it ran with).</param>
public sealed record MethodRecord(string Method, string Key, double ExplainSeconds, string? Skipped, IReadOnlyList<MetricRecord> Metrics,
    IReadOnlyDictionary<string, string>? MethodOptions = null);

/// <summary>One row of the evaluation: a (method, metric) pair with its mean, interval and rank.</summary>
/// <param name="Method">Method name; "a vs b" for an agreement metric's pair.</param>
/// <param name="Metric">Metric name.</param>
/// <param name="Category">The question the metric answers.</param>
/// <param name="HigherIsBetter">Direction of the metric.</param>
/// <param name="Scores">Per map.</param>
/// <param name="Mean">Mean of the finite scores.</param>
/// <param name="CiLow">Lower 95 % bootstrap bound.</param>
/// <param name="CiHigh">Upper 95 % bootstrap bound.</param>
/// <param name="Count">Finite scores.</param>
/// <param name="Rank">1 = best method for this metric (ties share a rank); null when skipped or not ranked (pairs).</param>
/// <param name="Seconds">Time the metric took.</param>
/// <param name="Skipped">Why the pair did not run, or null.</param>
public sealed record EvaluationRow(string Method, string Metric, string Category, bool HigherIsBetter, double[] Scores, double Mean,
    double CiLow, double CiHigh, int Count, int? Rank, double Seconds, string? Skipped);

/// <summary>The settings an evaluation ran with (evaluation.json's "settings").</summary>
public sealed record EvaluationSettings(string Model, string ModelKind, string Data, string[] Methods, string[] Metrics, int Images,
    int Bootstrap, int Seed, string Targets, string Output, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> MetricOptions,
    string? Attributions, bool EvidenceMasks);

/// <summary>What <c>glassbox evaluate</c> wrote (evaluation.json).</summary>
/// <param name="Settings">How it ran.</param>
/// <param name="Rows">Per (method, metric), methods in the order given, metrics in catalog order.</param>
/// <param name="Agreement">Per (pair of methods, agreement metric).</param>
/// <param name="Methods">Per method: explain time, skip reason, options.</param>
/// <param name="Files">Written files by role, relative to the output folder.</param>
/// <param name="Seconds">Wall time of this run.</param>
public sealed record EvaluationReport(EvaluationSettings Settings, IReadOnlyList<EvaluationRow> Rows, IReadOnlyList<EvaluationRow> Agreement,
    IReadOnlyList<MethodSummary> Methods, IReadOnlyDictionary<string, string> Files, double Seconds)
{
    /// <summary>Methods computed in this run (the others were read back from an earlier, interrupted run with the same settings).</summary>
    public IReadOnlyList<string> Computed { get; init; } = [];

    /// <summary>Chance level per localisation metric: the mean score of seeded uniform random maps (see <see cref="LocalisationChance"/>).</summary>
    public IReadOnlyDictionary<string, double> Chance { get; init; } = new Dictionary<string, double>();

    /// <summary>Per method: agreement of its maps across the evaluated model and the <c>--compare-models</c> (empty without them).</summary>
    public IReadOnlyList<ModelAgreementRow> AcrossModels { get; init; } = [];
}

/// <summary>A method's line in evaluation.json.</summary>
public sealed record MethodSummary(string Method, double ExplainSeconds, string? Skipped, IReadOnlyDictionary<string, string>? Options, bool Resumed);

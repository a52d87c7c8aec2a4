using Glassbox.App.Generation;
using Glassbox.App.Generation.Explain;

namespace Glassbox.App;

/// <summary>What the generator part of the demo trained, measured and explained (in metrics.json and the report).</summary>
/// <param name="Models">The VAE and the DCGAN.</param>
/// <param name="Explanations">The generator explanations run (traversals, directions, counterfactual, where available).</param>
/// <param name="EvaluatedImages">Generated and real images per metric set.</param>
/// <param name="Features">How the metric features are taken from model A.</param>
/// <param name="Seconds">Wall time of the generator part.</param>
public sealed record GeneratorDemoSummary(IReadOnlyList<GeneratorDemoModel> Models, IReadOnlyList<GeneratorDemoExplanation> Explanations,
    int EvaluatedImages, string Features, double Seconds);

/// <summary>One trained generator of the demo.</summary>
/// <param name="Name">"VAE" or "DCGAN".</param>
/// <param name="Kind">The train-generator kind.</param>
/// <param name="Checkpoint">Checkpoint folder, relative to the run folder (with loss_curves.png, samples.png).</param>
/// <param name="Epochs">Training epochs.</param>
/// <param name="BatchSize">Training batch size.</param>
/// <param name="LatentSize">Latent dimensions.</param>
/// <param name="TrainSeconds">Training wall time.</param>
/// <param name="FinalLosses">The last epoch's mean losses.</param>
/// <param name="LossCurves">Loss chart, relative path.</param>
/// <param name="KlPerDimension">VAE: KL-per-dimension chart, relative path.</param>
/// <param name="FinalKlPerDimension">VAE: the last epoch's KL of each latent dimension (nats).</param>
/// <param name="SamplesByClass">Grid of prior samples, one row per class model A predicts, relative path.</param>
/// <param name="ClassifiedSamples">Prior samples classified by model A.</param>
/// <param name="PredictedClassCounts">How many of them model A assigns to each class.</param>
/// <param name="MeanConfidence">Mean of model A's top softmax probability over those samples.</param>
/// <param name="Metrics">FD, KID, precision/recall, density/coverage and IS with the real-vs-real floor.</param>
/// <param name="Evaluation">evaluate-generator output folder, relative path.</param>
/// <param name="EvaluateSeconds">Evaluation wall time.</param>
public sealed record GeneratorDemoModel(string Name, string Kind, string Checkpoint, int Epochs, int BatchSize, int LatentSize, double TrainSeconds,
    IReadOnlyDictionary<string, double> FinalLosses, string LossCurves, string? KlPerDimension, double[]? FinalKlPerDimension,
    string SamplesByClass, int ClassifiedSamples, int[] PredictedClassCounts, double MeanConfidence,
    IReadOnlyList<GeneratorMetricRow> Metrics, string Evaluation, double EvaluateSeconds);

/// <summary>One explain-generator run of the demo.</summary>
/// <param name="What">The kind (<c>--what</c>).</param>
/// <param name="Generator">Which demo generator it explains ("VAE" or "DCGAN").</param>
/// <param name="Folder">Its output folder, relative path.</param>
/// <param name="Figures">Its figures, with paths relative to the run folder.</param>
/// <param name="Error">The kind's refusal, when it refused (its figures are then empty).</param>
/// <param name="Seconds">Wall time.</param>
public sealed record GeneratorDemoExplanation(string What, string Generator, string Folder, IReadOnlyList<GeneratorFigure> Figures, string? Error, double Seconds);

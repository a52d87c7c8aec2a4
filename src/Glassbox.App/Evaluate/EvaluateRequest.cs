using Glassbox.Attribution;

namespace Glassbox.App;

/// <summary>What <c>glassbox evaluate</c> should do.</summary>
/// <param name="Model">Model whose explanations are scored: a checkpoint folder, a Sequential spec .json, a TorchScript .pt or an .onnx file.</param>
/// <param name="Data">MNIST-format folder: the first <paramref name="Images"/> test images are explained; its training images are the
/// background of methods that need one; an <c>evidence-masks.npy</c> (N×H×W uint8, aligned with the test images) enables localisation metrics.</param>
/// <param name="OutputFolder">Where evaluation.json/.csv/.html, figures/ and results/ go.</param>
/// <param name="Methods">Catalog names of the attribution methods to compare (may be empty with <paramref name="Attributions"/>).</param>
/// <param name="Metrics">"all", "fast", a category (faithfulness, robustness, ...), or a comma-separated list of metric names.</param>
/// <param name="Images">Test images scored (the first ones of the test split, in order).</param>
/// <param name="Bootstrap">Bootstrap resamples of the 95 % confidence interval of each mean (0 = no interval).</param>
/// <param name="Seed">Seeds the methods, the metrics' random parts and the bootstrap.</param>
/// <param name="MetricOptions">"metric.flag=value" entries (e.g. "deletion.steps=50"), bound by each metric's option schema.</param>
/// <param name="Attributions">A .npy of maps made elsewhere (N×K×C×H×W or N×C×H×W), scored as the explanation "external".</param>
/// <param name="Targets">"predicted" (default), "label" (true labels), a class index or name, a .npy of class indices (N or N×K), or a comma-separated list of N indices.</param>
/// <param name="Output">Logits or probabilities: what the methods explain and the metrics read.</param>
/// <param name="Device">cpu, cuda or auto.</param>
/// <param name="Threads">libtorch threads (0 = default).</param>
/// <param name="CompareModels">Other models of the same task (other splits or seeds): each method also explains the images with each of them, and its maps' agreement across the models is reported; null or empty = none.</param>
public sealed record EvaluateRequest(
    string Model, string Data, string OutputFolder, IReadOnlyList<string> Methods, string Metrics = "fast",
    int Images = EvaluateRequest.DefaultImages, int Bootstrap = EvaluateRequest.DefaultBootstrap, int Seed = 0,
    IReadOnlyList<string>? MetricOptions = null, string? Attributions = null, string? Targets = null,
    OutputSpace Output = OutputSpace.Logits, string Device = "cpu", int Threads = 0, IReadOnlyList<string>? CompareModels = null)
{
    /// <summary>
    /// Images scored unless asked otherwise, sized so that 5 methods × the fast metrics on the MNIST sample fit in 5 minutes
    /// on 2 cores: saliency, integrated gradients, DeepSHAP, Grad-CAM and occlusion took 255 s on a shared 2-core machine.
    /// </summary>
    public const int DefaultImages = 100;

    /// <summary>Bootstrap resamples unless asked otherwise.</summary>
    public const int DefaultBootstrap = 1000;

    /// <summary>Name of the explanation made from <see cref="Attributions"/>.</summary>
    public const string ExternalName = "external";
}

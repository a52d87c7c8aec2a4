using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Data;
using Glassbox.Engine;
using Glassbox.Metrics.Axiomatic;
using Glassbox.Models;
using Glassbox.Models.Sources;
using Glassbox.Visualization;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox;

/// <summary>
/// The library's front door: one attribution method of the catalog built for one model, as SHAP builds an explainer
/// from a model and a background and Captum one object per method. Load a model with <see cref="LoadModel"/>, pick the
/// method by its catalog name or by its options record, then <see cref="Explain(string, TargetSelection?)"/>; check the
/// result with <see cref="ExplanationExtensions.Check"/> and draw it with <see cref="ExplanationExtensions.SaveImagePlot"/>.
/// </summary>
public sealed class Explainer
{
    private Explainer(IImageModel model, MethodEntry entry, IAttributionMethod method)
    {
        Model = model;
        Entry = entry;
        Method = method;
    }

    /// <summary>The explained model.</summary>
    public IImageModel Model { get; }

    /// <summary>The method's catalog entry (name, family, options schema).</summary>
    public MethodEntry Entry { get; }

    /// <summary>The built method.</summary>
    public IAttributionMethod Method { get; }

    /// <summary>Names of the methods <see cref="Create(IImageModel, string, IReadOnlyDictionary{string, string}?, Tensor?)"/> takes (<c>glassbox methods</c>).</summary>
    public static IReadOnlyList<string> MethodNames => MethodCatalog.Default.Entries.Select(e => e.Name).ToArray();

    /// <summary>
    /// Initialises libtorch (device, seed) and loads a model: a checkpoint folder, a Sequential spec <c>.json</c>, a
    /// TorchScript <c>.pt</c> or an <c>.onnx</c> file. <paramref name="device"/> is cpu, cuda, cuda:N or auto.
    /// </summary>
    public static IImageModel LoadModel(string path, string device = "cpu", int seed = 0)
    {
        var context = TorchContext.Create(device, 0, seed);
        return ModelLoader.Load(path, context.Device);
    }

    /// <summary>
    /// The catalog method <paramref name="method"/> (e.g. "integrated-gradients") with options by their command-line
    /// names without dashes (e.g. <c>n-steps → 32</c>; Captum's defaults otherwise). Methods that average over a
    /// background use <paramref name="background"/> (B×C×H×W on the model's device) unless the options give baselines.
    /// </summary>
    public static Explainer Create(IImageModel model, string method, IReadOnlyDictionary<string, string>? options = null, Tensor? background = null)
    {
        var entry = MethodCatalog.Default.Get(method);
        MethodCatalog.CheckModel(entry, model);
        var text = (options ?? new Dictionary<string, string>()).ToDictionary(p => p.Key.TrimStart('-'), p => p.Value);
        var settings = entry.Bind(text, new OptionContext(model.Info, model.Device));
        if (entry.UsesBaselineDistribution && settings.Baselines is null && background is not null)
            settings = settings with { Baselines = Baseline.FromImages(background) };
        return new Explainer(model, entry, settings.Create(model));
    }

    /// <summary>
    /// The catalog method whose options record is the type of <paramref name="options"/> (e.g. <c>new IntegratedGradientsOptions(NSteps: 32)</c>),
    /// built with those options and, for methods over a background, <paramref name="background"/>.
    /// </summary>
    public static Explainer Create(IImageModel model, object options, Tensor? background = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var entry = MethodCatalog.Default.Entries.FirstOrDefault(e => e.Schema.RecordType == options.GetType())
            ?? throw new GlassboxException($"{options.GetType().Name} is not the options record of a catalog method; pass a method's options record (e.g. IntegratedGradientsOptions) or a name from Explainer.MethodNames.");
        MethodCatalog.CheckModel(entry, model);
        return new Explainer(model, entry, entry.Create(model, options, background is null ? null : Baseline.FromImages(background)));
    }

    /// <summary>Explains the images of a .npy file, a PNG/JPEG image or a folder of images (pixels in [0,1]) for <paramref name="targets"/> (default: every class).</summary>
    public Explanation Explain(string images, TargetSelection? targets = null)
    {
        var info = Model.Info;
        var (pixels, count, _) = InputImages.Load(images, info);
        return Explain(pixels, count, targets);
    }

    /// <summary>Explains <paramref name="count"/> images of C×H×W pixels in [0,1] for <paramref name="targets"/> (default: every class).</summary>
    public Explanation Explain(float[] pixels, int count, TargetSelection? targets = null)
    {
        var info = Model.Info;
        using var scope = torch.NewDisposeScope();
        var x = torch.tensor(pixels, [count, info.Channels, info.Height, info.Width], device: Model.Device);
        return Method.Attribute(x, targets ?? TargetSelection.AllClasses) with { Inputs = pixels, ClassNames = info.ClassNames };
    }
}

/// <summary>Checking and drawing an <see cref="Explanation"/>.</summary>
public static class ExplanationExtensions
{
    /// <summary>
    /// The method's own check over every explained (input, class): additivity Σφ = f(x) − E[f] where the method
    /// guarantees it (DeepLIFT/SHAP, Shrikumar et al. 2017; Lundberg and Lee 2017), else its convergence delta
    /// (integrated gradients, Sundararajan et al. 2017); null for methods without one.
    /// </summary>
    public static CompletenessReport? Check(this Explanation explanation)
        => explanation.AdditivityErrors is null ? null : CompletenessReport.Of(explanation);

    /// <summary>Saves SHAP's image plot (red raises the class score, blue lowers it) as a PNG; the inputs must be set, as <see cref="Explainer"/> sets them.</summary>
    public static void SaveImagePlot(this Explanation explanation, string path, int topK = 0)
        => ImagePlot.Save(path, ImagePlot.From(explanation, topK: topK));
}

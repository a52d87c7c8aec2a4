using System.Globalization;
using Glassbox.Generation;
using Glassbox.Models;

namespace Glassbox.App.Generation.Explain;

/// <summary>
/// One kind of generator explanation (<c>--what</c>): traversals, latent attribution, directions, counterfactuals,
/// disentanglement, … Each kind reads its inputs from a <see cref="GeneratorExplanationContext"/>, writes PNG/GIF,
/// .npy and JSON into the context's folder and returns what it wrote. The library holds the mathematics
/// (<c>Glassbox.Generation.Explain</c>); a kind only composes it into files.
/// </summary>
public interface IGeneratorExplanation
{
    /// <summary>The <c>--what</c> name.</summary>
    string What { get; }

    /// <summary>One line for <c>--help</c>.</summary>
    string Description { get; }

    /// <summary>True when the kind cannot run without <c>--classifier</c>.</summary>
    bool NeedsClassifier { get; }

    /// <summary>The kind's <c>--option</c> names with one line of help each (naming the default).</summary>
    IReadOnlyDictionary<string, string> Options { get; }

    /// <summary>Computes the explanation and writes its files into <see cref="GeneratorExplanationContext.Folder"/>.</summary>
    GeneratorExplanationResult Run(GeneratorExplanationContext context);
}

/// <summary>A picture written by a kind, with the caption the report shows under it.</summary>
/// <param name="File">File name inside the output folder.</param>
/// <param name="Caption">What the picture shows and how far it can be trusted.</param>
public sealed record GeneratorFigure(string File, string Caption);

/// <summary>What a kind wrote: pictures, every other file, and the numbers it measured (serialised into explain-generator.json).</summary>
public sealed record GeneratorExplanationResult(
    IReadOnlyList<GeneratorFigure> Figures, IReadOnlyList<string> Files, IReadOnlyDictionary<string, object?> Summary);

/// <summary>The loaded inputs of a generator explanation and the folder to write into.</summary>
public sealed class GeneratorExplanationContext
{
    /// <summary>Creates a context; the job owns (and disposes) the models.</summary>
    public GeneratorExplanationContext(ExplainGeneratorRequest request, IGenerativeModel generator, GeneratorCheckpointMetadata metadata,
        IImageModel? classifier, string folder, IRunObserver observer, CancellationToken cancellation)
    {
        Request = request;
        Generator = generator;
        Metadata = metadata;
        ClassifierOrNull = classifier;
        Folder = folder;
        Observer = observer;
        Cancellation = cancellation;
    }

    /// <summary>The request as given.</summary>
    public ExplainGeneratorRequest Request { get; }
    /// <summary>The generator, in evaluation mode.</summary>
    public IGenerativeModel Generator { get; }
    /// <summary>The generator checkpoint's description (kind, options, training history).</summary>
    public GeneratorCheckpointMetadata Metadata { get; }
    /// <summary>The classifier, when <c>--classifier</c> was given (its input size matches the generator's).</summary>
    public IImageModel? ClassifierOrNull { get; }
    /// <summary>The folder to write into (a temporary folder renamed into place when the run succeeds).</summary>
    public string Folder { get; }
    /// <summary>Receives progress.</summary>
    public IRunObserver Observer { get; }
    /// <summary>Cancels long work.</summary>
    public CancellationToken Cancellation { get; }

    /// <summary>The classifier; throws a clear error when none was given.</summary>
    public IImageModel Classifier => ClassifierOrNull
        ?? throw new GlassboxException($"--what {Request.What} explains a classifier's view of generated images: pass --classifier <checkpoint> (train one with `glassbox train`).");

    /// <summary>The full path of <paramref name="file"/> in the output folder.</summary>
    public string PathOf(string file) => System.IO.Path.Combine(Folder, file);

    /// <summary>The target class: <c>--target</c>, else <paramref name="fallback"/>; checked against the classifier's classes.</summary>
    public int Target(int fallback)
    {
        int t = Request.Target ?? fallback;
        int classes = Classifier.Info.Classes;
        if (t < 0 || t >= classes)
            throw new GlassboxException($"--target {t} is not a class of the classifier: it knows classes 0–{classes - 1}.");
        return t;
    }

    /// <summary>The text of option <paramref name="name"/>, or null when not given.</summary>
    public string? OptionText(string name) => Request.Options is { } o && o.TryGetValue(name, out var v) ? v : null;

    /// <summary>Integer option <paramref name="name"/> in [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="fallback"/>.</summary>
    public int IntOption(string name, int fallback, int min = int.MinValue, int max = int.MaxValue)
    {
        if (OptionText(name) is not string text) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            throw new GlassboxException($"--option {name}={text}: '{text}' is not an integer.");
        if (v < min || v > max) throw new GlassboxException($"--option {name}={v} is out of range: use {min}–{max}.");
        return v;
    }

    /// <summary>Number option <paramref name="name"/> in [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="fallback"/>.</summary>
    public double DoubleOption(string name, double fallback, double min = double.MinValue, double max = double.MaxValue)
    {
        if (OptionText(name) is not string text) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new GlassboxException($"--option {name}={text}: '{text}' is not a finite number.");
        if (v < min || v > max) throw new GlassboxException($"--option {name}={v} is out of range: use {min}–{max}.");
        return v;
    }

    /// <summary>Option <paramref name="name"/>, one of <paramref name="allowed"/>, or <paramref name="fallback"/>.</summary>
    public string ChoiceOption(string name, string fallback, params string[] allowed)
    {
        if (OptionText(name) is not string text) return fallback;
        if (!allowed.Contains(text, StringComparer.Ordinal))
            throw new GlassboxException($"--option {name}={text}: use one of {string.Join(", ", allowed)}.");
        return text;
    }
}

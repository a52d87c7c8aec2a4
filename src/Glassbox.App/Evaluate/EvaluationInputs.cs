using Glassbox.Attribution;
using Glassbox.Data;
using Glassbox.IO;
using Glassbox.Models;

namespace Glassbox.App;

/// <summary>The images an evaluation scores, with what else the data folder offers.</summary>
/// <param name="Pixels">N×C×H×W in [0,1]: the first N test images.</param>
/// <param name="Count">N.</param>
/// <param name="Labels">True class of each image.</param>
/// <param name="Names">"test[i]" per image.</param>
/// <param name="Masks">Evidence masks N×H×W (nonzero = evidence), or null when the folder has none.</param>
public sealed record EvaluationImages(float[] Pixels, int Count, int[] Labels, string[] Names, byte[]? Masks);

/// <summary>Reads the evaluation's images, evidence masks, targets and external attributions, with errors that say what to do.</summary>
public static class EvaluationInputs
{
    /// <summary>File of the ground-truth evidence masks in a data folder.</summary>
    public const string MasksFileName = "evidence-masks.npy";

    /// <summary>
    /// The folder whose training split gives the background of distribution methods: <paramref name="folder"/> itself, or,
    /// for a test-only split inside a data set (e.g. planted-evidence/conflict), its parent when only the parent has one.
    /// </summary>
    public static string BackgroundFolder(string folder)
    {
        static bool HasTrain(string f) => Directory.Exists(f) && Directory.EnumerateFiles(f, "train-images-idx3-ubyte*").Any();
        if (HasTrain(folder)) return folder;
        string? parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
        return parent is not null && HasTrain(parent) ? parent : folder;
    }

    /// <summary>The first <paramref name="count"/> test images of the MNIST-format <paramref name="folder"/> and their masks, checked against <paramref name="info"/>.</summary>
    /// <param name="folder">The MNIST-format folder.</param>
    /// <param name="count">Images wanted.</param>
    /// <param name="info">The model's input size.</param>
    /// <param name="source">What asked for <paramref name="count"/> images, for the error (e.g. "-n 300" or "--attributions a.npy (300 maps)").</param>
    public static EvaluationImages Load(string folder, int count, ModelInfo info, string? source = null)
    {
        var test = MnistFormat.LoadFolder(folder, "test");
        if (test.Channels != info.Channels || test.Height != info.Height || test.Width != info.Width)
            throw new GlassboxException(
                $"The test images in '{folder}' are {test.Channels}×{test.Height}×{test.Width}; the model expects {info.Channels}×{info.Height}×{info.Width}. Pass --data with images of the model's size.");
        if (count > test.Count)
            throw new GlassboxException($"{source ?? $"-n {count}"} asks for more images than the {test.Count} test images of '{folder}'; pass at most {test.Count}.");
        var subset = test.Take(count);
        var names = Enumerable.Range(0, count).Select(i => $"test[{i}]").ToArray();
        return new EvaluationImages(subset.Pixels, count, subset.Labels, names, LoadMasks(folder, count, info, test.Count));
    }

    private static byte[]? LoadMasks(string folder, int count, ModelInfo info, int testCount)
    {
        string path = Path.Combine(folder, MasksFileName);
        if (!File.Exists(path)) return null;
        var a = NpyFile.Read(path);
        var s = a.Shape;
        bool shapeOk = (s.Length == 3 && s[1] == info.Height && s[2] == info.Width)
            || (s.Length == 4 && s[1] == 1 && s[2] == info.Height && s[3] == info.Width);
        if (!shapeOk || a.Data is not byte[] bytes)
            throw new GlassboxException(
                $"'{path}' must be N×{info.Height}×{info.Width} uint8 (nonzero = evidence), aligned with the test images; it is {Dims(s)} {a.DType}.");
        if (s[0] != testCount)
            throw new GlassboxException($"'{path}' holds {s[0]} masks for {testCount} test images; it must hold one per test image, in order.");
        return bytes.AsSpan(0, count * info.Height * info.Width).ToArray();
    }

    /// <summary>
    /// The class explained per image and slot ([n·K+k]) and K: "predicted" (null), "label", a class index or name for every
    /// image, a comma-separated list of N indices, or a .npy of N (or N×K) class indices.
    /// </summary>
    public static (int[] Table, int PerInput) Targets(string? spec, int[] predictions, int[] labels, IReadOnlyList<string> classNames)
    {
        int n = predictions.Length, classes = classNames.Count;
        string s = spec?.Trim() ?? "predicted";
        if (s.Length == 0 || s.Equals("predicted", StringComparison.OrdinalIgnoreCase)) return (predictions, 1);
        if (s.Equals("label", StringComparison.OrdinalIgnoreCase) || s.Equals("labels", StringComparison.OrdinalIgnoreCase)) return (labels, 1);
        int[] table;
        int k = 1;
        if (s.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            var a = NpyFile.Read(s);
            if (a.Shape.Length is < 1 or > 2 || a.Shape[0] != n)
                throw new GlassboxException($"--targets '{s}' has shape {Dims(a.Shape)}; it must hold N = {n} class indices (or N×K for K maps per image).");
            k = a.Shape.Length == 2 ? a.Shape[1] : 1;
            table = a.Data switch
            {
                int[] i => i,
                long[] l => l.Select(v => v is < int.MinValue or > int.MaxValue ? -1 : (int)v).ToArray(),
                byte[] b => b.Select(v => (int)v).ToArray(),
                _ => throw new GlassboxException($"--targets '{s}' holds {a.DType} values; save the class indices as integers (np.int64)."),
            };
        }
        else if (s.Contains(','))
        {
            table = s.Split(',', StringSplitOptions.TrimEntries).Select(t =>
                int.TryParse(t, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out int v) ? v
                    : throw new GlassboxException($"--targets: '{t}' is not a class index; pass a list of {n} indices like 3,7,1.")).ToArray();
            if (table.Length != n) throw new GlassboxException($"--targets lists {table.Length} classes for {n} images; pass one per image.");
        }
        else
        {
            var one = ExplainJob.ParseTarget(s, n, classNames).Resolve(n, classes, out k);
            table = one;
        }
        foreach (int t in table)
            if (t < 0 || t >= classes)
                throw new GlassboxException($"--targets holds class {t}, which this model does not have (classes 0..{classes - 1}).");
        return (table, k);
    }

    /// <summary>
    /// Reads maps made elsewhere (N×K×C×H×W or N×C×H×W float) for the first N images: the shape must match the model's
    /// input and every value must be finite.
    /// </summary>
    public static (float[] Values, int Count, int PerInput) ReadExternal(string path, ModelInfo info)
    {
        if (!File.Exists(path)) throw new GlassboxException($"--attributions '{path}' does not exist; pass a .npy of N×K×C×H×W or N×C×H×W maps.");
        var values = NpyFile.ReadFloat32(path, out int[] s);
        int n, k;
        if (s.Length == 5 && s[2] == info.Channels && s[3] == info.Height && s[4] == info.Width) (n, k) = (s[0], s[1]);
        else if (s.Length == 4 && s[1] == info.Channels && s[2] == info.Height && s[3] == info.Width) (n, k) = (s[0], 1);
        else
            throw new GlassboxException(
                $"--attributions '{path}' has shape {Dims(s)}; it must be N×K×{info.Channels}×{info.Height}×{info.Width} or N×{info.Channels}×{info.Height}×{info.Width} for this model.");
        if (n < 1 || k < 1) throw new GlassboxException($"--attributions '{path}' holds no maps (shape {Dims(s)}).");
        int d = info.Channels * info.Height * info.Width;
        for (int i = 0; i < values.Length; i++)
            if (!float.IsFinite(values[i]))
                throw new GlassboxException(
                    $"--attributions '{path}' holds {values[i]} in map {i / d} (image {i / d / k}); every attribution must be finite.");
        return (values, n, k);
    }

    /// <summary>The external maps as the explanation "external"; the targets must give one class per map.</summary>
    public static Explanation External(string path, float[] values, int n, int k, ModelInfo info, int[] targets, int targetsPerInput, OutputSpace output)
    {
        if (k != targetsPerInput || targets.Length != n * k)
            throw new GlassboxException(
                $"--attributions holds {n}×{k} maps but --targets gives {targets.Length / Math.Max(1, targetsPerInput)}×{targetsPerInput} classes; pass one class per map (a .npy of N or N×K indices).");
        var nan = Enumerable.Repeat(double.NaN, n * k).ToArray();
        return new Explanation(EvaluateRequest.ExternalName, new Dictionary<string, string> { ["file"] = Path.GetFullPath(path) }, values,
            [n, k, info.Channels, info.Height, info.Width], targets, output, nan, (double[])nan.Clone(), null, 0, AdditivityGuaranteed: false);
    }

    private static string Dims(int[] shape) => shape.Length == 0 ? "()" : string.Join("×", shape);
}

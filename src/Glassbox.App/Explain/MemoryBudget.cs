using System.Globalization;
using Glassbox.Attribution.Catalog;
using Glassbox.Models;

namespace Glassbox.App;

/// <summary>
/// Estimates what a run will allocate before it allocates it, against the memory this process may use
/// (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>: physical memory or the container's limit), so an absurd option
/// (<c>--background-size 100000000</c>, <c>--n-samples 100000000</c>) is one clear error with the numbers, not an
/// out-of-memory crash minutes later.
/// </summary>
public static class MemoryBudget
{
    /// <summary>Bytes this process may use.</summary>
    public static long Available => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>Throws when <paramref name="bytes"/> exceed <paramref name="available"/> (default: <see cref="Available"/>).</summary>
    /// <param name="bytes">The estimate.</param>
    /// <param name="what">What would be allocated, with the numbers it is computed from.</param>
    /// <param name="advice">What to change.</param>
    /// <param name="available">The budget; null for <see cref="Available"/>.</param>
    public static void Check(double bytes, string what, string advice, long? available = null)
    {
        long budget = available ?? Available;
        if (bytes > budget)
            throw new GlassboxException($"{what} would need about {Size(bytes)}, more than the {Size(budget)} this process may use. {advice}");
    }

    /// <summary>
    /// The background of a distribution method: <paramref name="images"/> × C×H×W × 4 bytes, plus the (input, background)
    /// pairs of one chunk, at least one input against every background image (two tensors of pairs × C×H×W × 4 bytes).
    /// </summary>
    public static void CheckBackground(int images, ModelInfo info, string flag = "--background-size", long? available = null)
    {
        double image = 4.0 * info.Channels * info.Height * info.Width;
        double background = images * image, pairs = 2 * images * image;
        Check(background + pairs,
            $"{flag} {images} ({images} background images × {info.Channels}×{info.Height}×{info.Width} × 4 bytes = {Size(background)}, " +
            $"plus at least {images} (input, background) pairs per chunk = {Size(pairs)})",
            $"Use a smaller {flag} (SHAP's usual is 100).", available);
    }

    /// <summary>
    /// The options of <paramref name="settings"/> that scale memory per input: a batch option (internal-batch-size,
    /// perturbations-per-eval) holds batch × C×H×W × 4 bytes three times (inputs, activations, gradients); a sample-count
    /// option (n-samples, max-evals) keeps per sample a feature mask (at most C×H×W bytes) and the outputs (classes × 8
    /// bytes) for each of the <paramref name="inputs"/> explained together. The catalog's <see cref="PassCost"/> gives the
    /// sample count when the option is left at its default.
    /// </summary>
    public static void CheckMethod(MethodSettings settings, ModelInfo info, int targets, int inputs, IImageModel? model = null, long? available = null)
    {
        var described = settings.Describe();
        int elements = info.Channels * info.Height * info.Width;
        double image = 4.0 * elements;
        foreach (string flag in new[] { "internal-batch-size", "perturbations-per-eval" })
        {
            if (Number(described, flag) is not { } batch) continue;
            Check(3 * batch * image,
                $"--{flag} {batch} ({batch} × {info.Channels}×{info.Height}×{info.Width} × 4 bytes, for inputs, activations and gradients)",
                $"Use a smaller --{flag}.", available);
        }
        double? samples = Number(described, "n-samples") ?? Number(described, "max-evals");
        if (samples is null && settings.Entry.Options.Any(f => f.Flag is "n-samples" or "max-evals"))
        {
            var cost = settings.Cost(info, targets, model);
            if (double.IsFinite(cost.PerImage) && !cost.Gradient) samples = cost.PerImage;
        }
        if (samples is { } s)
        {
            double perSample = elements + 8.0 * info.Classes;
            Check(inputs * s * perSample,
                $"{s.ToString("0", CultureInfo.InvariantCulture)} samples per input for {inputs} inputs at a time (each a mask of up to {elements} features and {info.Classes} outputs)",
                "Use fewer --n-samples/--max-evals, or fewer inputs at a time with --chunk-size.", available);
        }
    }

    /// <summary>"313.6 GB", "2.1 MB", binary units.</summary>
    public static string Size(double bytes)
    {
        string[] units = ["bytes", "KB", "MB", "GB", "TB", "PB"];
        int u = 0;
        while (bytes >= 1024 && u < units.Length - 1) { bytes /= 1024; u++; }
        return u == 0 ? $"{bytes:0} bytes" : bytes.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[u];
    }

    private static double? Number(IReadOnlyDictionary<string, string> described, string flag)
        => described.TryGetValue(flag, out var text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;
}

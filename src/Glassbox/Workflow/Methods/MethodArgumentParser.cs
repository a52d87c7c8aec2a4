using System.Globalization;
using Glassbox.Attribution;
using Glassbox.Attribution.FeatureMasks;
using Glassbox.IO;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Workflow.Methods;

/// <summary>Parses the text forms of method arguments used on the command line (baselines, feature masks, lists, targets).</summary>
public static class MethodArgumentParser
{
    /// <summary>
    /// <c>zeros</c>, <c>constant:V</c>, <c>blur</c> / <c>blur:SIGMA</c>, or a .npy of baseline images (B×C×H×W, C×H×W,
    /// B×H×W or H×W for one channel; float in [0,1] or uint8).
    /// </summary>
    public static Baseline ParseBaselines(string spec, ModelInfo info, Device device)
    {
        string s = spec.Trim();
        if (s.Equals("zeros", StringComparison.OrdinalIgnoreCase) || s == "0") return Baseline.Zeros;
        if (s.StartsWith("constant:", StringComparison.OrdinalIgnoreCase))
            return Baseline.Constant((float)ParseDouble(s["constant:".Length..], "--baselines constant:V"));
        if (s.Equals("blur", StringComparison.OrdinalIgnoreCase)) return Baseline.Blur();
        if (s.StartsWith("blur:", StringComparison.OrdinalIgnoreCase))
        {
            double sigma = ParseDouble(s["blur:".Length..], "--baselines blur:SIGMA");
            if (!(sigma > 0)) throw new GlassboxException($"--baselines blur:SIGMA needs a positive sigma, not {sigma}.");
            return Baseline.Blur(sigma);
        }
        if (s.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(s)) throw new GlassboxException($"Baseline file '{s}' does not exist.");
            var (px, count, _) = InputImages.Load(s, info);
            return Baseline.FromImages(torch.tensor(px, [count, info.Channels, info.Height, info.Width], device: device));
        }
        throw new GlassboxException($"--baselines must be zeros, constant:V, blur, blur:SIGMA or a .npy file of images, not '{spec}'.");
    }

    /// <summary><c>grid:N</c> (N×N-pixel patches), <c>slic:N[,COMPACTNESS]</c> (N superpixels per image) or a .npy of integer feature ids (H×W or C×H×W).</summary>
    public static MaskSource ParseFeatureMask(string spec, ModelInfo info)
    {
        string s = spec.Trim();
        if (s.StartsWith("grid:", StringComparison.OrdinalIgnoreCase))
        {
            int patch = ParseInt(s["grid:".Length..], "--feature-mask grid:N");
            if (patch < 1) throw new GlassboxException($"--feature-mask grid:N needs N ≥ 1, not {patch}.");
            return MaskSource.Grid(patch);
        }
        if (s.StartsWith("slic:", StringComparison.OrdinalIgnoreCase))
        {
            var parts = s["slic:".Length..].Split(',', StringSplitOptions.TrimEntries);
            if (parts.Length > 2) throw new GlassboxException($"--feature-mask slic takes slic:SEGMENTS or slic:SEGMENTS,COMPACTNESS, not '{spec}'.");
            int segments = ParseInt(parts[0], "--feature-mask slic:SEGMENTS");
            if (segments < 1) throw new GlassboxException($"--feature-mask slic:SEGMENTS needs at least 1 segment, not {segments}.");
            double compactness = parts.Length == 2 ? ParseDouble(parts[1], "--feature-mask slic:SEGMENTS,COMPACTNESS") : 10;
            if (!(compactness > 0)) throw new GlassboxException($"SLIC compactness must be positive, not {compactness}.");
            return new SlicMask(segments, compactness);
        }
        if (s.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(s)) throw new GlassboxException($"Feature mask file '{s}' does not exist.");
            var raw = NpyFile.Read(s);
            int[] ids = raw.Data switch
            {
                long[] l => l.Select(v => checked((int)v)).ToArray(),
                int[] i => i,
                byte[] b => b.Select(v => (int)v).ToArray(),
                _ => throw new GlassboxException($"Feature mask '{s}' holds {raw.DType}; save integer ids (int64, int32 or uint8)."),
            };
            int c = info.Channels, h = info.Height, w = info.Width;
            if (raw.Shape.SequenceEqual([h, w])) return MaskSource.Shared(FeatureMask.FromPixelMask(ids, c, h, w));
            if (raw.Shape.SequenceEqual([c, h, w])) return MaskSource.Shared(new FeatureMask(ids, c, h, w));
            throw new GlassboxException($"Feature mask '{s}' has shape ({string.Join(", ", raw.Shape)}); it must be {h}×{w} or {c}×{h}×{w}.");
        }
        throw new GlassboxException($"--feature-mask must be grid:N, slic:N[,COMPACTNESS] or a .npy of feature ids, not '{spec}'.");
    }

    /// <summary>A comma-separated list of positive integers (e.g. <c>1,4,4</c>).</summary>
    public static int[] ParseIntList(string spec, string option)
    {
        var parts = spec.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0) throw new GlassboxException($"{option} needs a list of integers like 1,4,4.");
        return parts.Select(p => ParseInt(p, option)).ToArray();
    }

    /// <summary>
    /// One class per input: a class index or name for every input, or a .npy of N integer class indices.
    /// </summary>
    public static TargetSelection ParseTarget(string spec, int inputs, IReadOnlyList<string> classNames)
    {
        string s = spec.Trim();
        if (s.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(s)) throw new GlassboxException($"Target file '{s}' does not exist.");
            var raw = NpyFile.Read(s);
            int[] t = raw.Data switch
            {
                long[] l => l.Select(v => v is < int.MinValue or > int.MaxValue ? -1 : (int)v).ToArray(),
                int[] i => i,
                byte[] b => b.Select(v => (int)v).ToArray(),
                _ => throw new GlassboxException($"Target file '{s}' holds {raw.DType}; save integer class indices (int64, int32 or uint8)."),
            };
            if (raw.Shape.Length != 1 || t.Length != inputs)
                throw new GlassboxException($"Target file '{s}' has shape ({string.Join(", ", raw.Shape)}); it must hold one class per input ({inputs}).");
            return TargetSelection.PerInput(t);
        }
        int byName = classNames.ToList().FindIndex(c => string.Equals(c, s, StringComparison.OrdinalIgnoreCase));
        if (byName < 0 && !int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out byName))
            throw new GlassboxException($"Unknown target '{spec}': give a class index, a class name ({string.Join(", ", classNames)}) or a .npy of class indices.");
        return TargetSelection.PerInput(Enumerable.Repeat(byName, inputs).ToArray());
    }

    private static int ParseInt(string text, string option)
        => int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
            : throw new GlassboxException($"{option}: '{text}' is not an integer.");

    private static double ParseDouble(string text, string option)
        => double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && double.IsFinite(v) ? v
            : throw new GlassboxException($"{option}: '{text}' is not a finite number.");
}

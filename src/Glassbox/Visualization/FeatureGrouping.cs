namespace Glassbox.Visualization;

/// <summary>How <see cref="FeatureGrouping"/> turns pixels into features.</summary>
public enum GroupingMode
{
    /// <summary>Square patches on a regular grid.</summary>
    Patches,

    /// <summary>Connected regions of same-sign, non-negligible attribution; the rest forms one "other pixels, net" feature.</summary>
    Regions,
}

/// <summary>Options of <see cref="FeatureGrouping"/>.</summary>
/// <param name="Mode">Patches or connected regions.</param>
/// <param name="PatchSize">Side of a square patch in pixels (edge patches may be smaller).</param>
/// <param name="RegionThreshold">In region mode, pixels with |value| below this fraction of the 99.9th-percentile |value| are background.</param>
public sealed record FeatureGroupingOptions(GroupingMode Mode = GroupingMode.Patches, int PatchSize = 4, double RegionThreshold = 0.1);

/// <summary>
/// Groups a C×H×W attribution map (summed over channels) into readable features. Every pixel belongs to exactly one
/// feature, so the feature values add up to the total attribution.
/// </summary>
public static class FeatureGrouping
{
    /// <summary>Groups <paramref name="attributions"/> (C×H×W) into features.</summary>
    public static IReadOnlyList<ImageFeature> Group(float[] attributions, int channels, int height, int width, FeatureGroupingOptions? options = null)
    {
        options ??= new FeatureGroupingOptions();
        if (channels <= 0 || height <= 0 || width <= 0 || attributions.LongLength != (long)channels * height * width)
            throw new GlassboxException($"Attributions hold {attributions.LongLength} values but the shape {channels}×{height}×{width} needs {(long)channels * height * width}.");
        double[] map = SumChannels(attributions, channels, height * width);
        return options.Mode switch
        {
            GroupingMode.Patches => Patches(map, height, width, options.PatchSize),
            GroupingMode.Regions => Regions(map, height, width, options.RegionThreshold),
            _ => throw new GlassboxException($"Unknown grouping mode {options.Mode}; use Patches or Regions."),
        };
    }

    private static double[] SumChannels(float[] a, int channels, int plane)
    {
        var map = new double[plane];
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < plane; i++)
                map[i] += a[c * plane + i];
        return map;
    }

    private static List<ImageFeature> Patches(double[] map, int height, int width, int size)
    {
        if (size < 1) throw new GlassboxException($"PatchSize {size} must be at least 1 pixel.");
        var features = new List<ImageFeature>();
        for (int top = 0; top < height; top += size)
            for (int left = 0; left < width; left += size)
            {
                int bottom = Math.Min(height, top + size) - 1, right = Math.Min(width, left + size) - 1;
                var pixels = new List<int>();
                double sum = 0;
                for (int y = top; y <= bottom; y++)
                    for (int x = left; x <= right; x++)
                    {
                        pixels.Add(y * width + x);
                        sum += map[y * width + x];
                    }
                features.Add(new ImageFeature(features.Count, ImageFeature.Location(top, left, bottom, right), sum, top, left, bottom, right, [.. pixels]));
            }
        return features;
    }

    private static List<ImageFeature> Regions(double[] map, int height, int width, double threshold)
    {
        if (!(threshold >= 0)) throw new GlassboxException($"RegionThreshold {threshold} must be zero or positive, e.g. 0.1.");
        double cut = threshold * RobustScale.SymmetricMax(map.Select(v => (float)v).ToArray());
        int[] sign = map.Select(v => Math.Abs(v) > cut && v != 0 ? Math.Sign(v) : 0).ToArray();
        var seen = new bool[map.Length];
        var features = new List<ImageFeature>();
        var stack = new Stack<int>();
        for (int start = 0; start < map.Length; start++)
        {
            if (seen[start] || sign[start] == 0) continue;
            var pixels = new List<int>();
            seen[start] = true;
            stack.Push(start);
            while (stack.Count > 0)
            {
                int p = stack.Pop();
                pixels.Add(p);
                int y = p / width, x = p % width;
                foreach (int q in Neighbours(y, x, height, width))
                    if (!seen[q] && sign[q] == sign[start]) { seen[q] = true; stack.Push(q); }
            }
            features.Add(Region(features.Count, pixels, map, width, "region "));
        }
        var rest = Enumerable.Range(0, map.Length).Where(i => sign[i] == 0).ToList();
        if (rest.Count > 0)
        {
            var other = Region(features.Count, rest, map, width, "");
            features.Add(other with { Label = $"other pixels, net ({rest.Count} px)" });
        }
        return features;
    }

    private static IEnumerable<int> Neighbours(int y, int x, int height, int width)
    {
        if (y > 0) yield return (y - 1) * width + x;
        if (y < height - 1) yield return (y + 1) * width + x;
        if (x > 0) yield return y * width + x - 1;
        if (x < width - 1) yield return y * width + x + 1;
    }

    private static ImageFeature Region(int id, List<int> pixels, double[] map, int width, string prefix)
    {
        pixels.Sort();
        int top = int.MaxValue, left = int.MaxValue, bottom = -1, right = -1;
        double sum = 0;
        foreach (int p in pixels)
        {
            int y = p / width, x = p % width;
            top = Math.Min(top, y); bottom = Math.Max(bottom, y);
            left = Math.Min(left, x); right = Math.Max(right, x);
            sum += map[p];
        }
        string label = $"{prefix}{ImageFeature.Location(top, left, bottom, right)} ({pixels.Count} px)";
        return new ImageFeature(id, label, sum, top, left, bottom, right, [.. pixels]);
    }
}

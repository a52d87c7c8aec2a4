using System.Globalization;
using Glassbox.IO;

namespace Glassbox.Attribution;

/// <summary>Which classes to explain for each input.</summary>
public abstract record TargetSelection
{
    /// <summary>Every class, in logit order (K = number of classes).</summary>
    public static TargetSelection AllClasses { get; } = new All();

    /// <summary>The same classes for every input.</summary>
    public static TargetSelection Classes(params int[] classes) => new Fixed(classes);

    /// <summary>One class per input (e.g. the label or the prediction); K = 1.</summary>
    public static TargetSelection PerInput(params int[] classes) => new Each(classes);

    /// <summary>Expands the selection to an N×K table of class indices, checking ranges.</summary>
    public int[] Resolve(int inputs, int classCount, out int perInput)
    {
        switch (this)
        {
            case All:
                perInput = classCount;
                return Enumerable.Range(0, inputs).SelectMany(_ => Enumerable.Range(0, classCount)).ToArray();
            case Fixed f:
                if (f.Values.Length == 0) throw new GlassboxException("Name at least one class to explain.");
                Check(f.Values, classCount);
                perInput = f.Values.Length;
                return Enumerable.Range(0, inputs).SelectMany(_ => f.Values).ToArray();
            case Each e:
                if (e.Values.Length != inputs)
                    throw new GlassboxException($"{e.Values.Length} targets were given for {inputs} inputs; give one class per input.");
                Check(e.Values, classCount);
                perInput = 1;
                return (int[])e.Values.Clone();
            default:
                throw new InvalidOperationException("Unknown target selection.");
        }
    }

    /// <summary>
    /// One class per input from text: a class index or name for every input, or a .npy of N integer class indices.
    /// </summary>
    public static TargetSelection Parse(string spec, int inputs, IReadOnlyList<string> classNames)
    {
        string s = spec.Trim();
        if (s.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            if (!File.Exists(s)) throw new GlassboxException($"Target file '{s}' does not exist.");
            var raw = NpyFile.Read(s);
            int[] t = raw.Data switch
            {
                long[] l => l.Select(v => v is < int.MinValue or > int.MaxValue
                    ? throw new GlassboxException($"Target file '{s}' holds the class {v}; the model has classes 0..{classNames.Count - 1}.") : (int)v).ToArray(),
                int[] i => i,
                byte[] b => b.Select(v => (int)v).ToArray(),
                _ => throw new GlassboxException($"Target file '{s}' holds {raw.DType}; save integer class indices (int64, int32 or uint8)."),
            };
            if (raw.Shape.Length != 1 || t.Length != inputs)
                throw new GlassboxException($"Target file '{s}' has shape ({string.Join(", ", raw.Shape)}); it must hold one class per input ({inputs}).");
            return PerInput(t);
        }
        int byName = classNames.ToList().FindIndex(c => string.Equals(c, s, StringComparison.OrdinalIgnoreCase));
        if (byName < 0 && !int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out byName))
            throw new GlassboxException($"Unknown target '{spec}': give a class index, a class name ({string.Join(", ", classNames)}) or a .npy of class indices.");
        return PerInput(Enumerable.Repeat(byName, inputs).ToArray());
    }

    private static void Check(int[] classes, int classCount)
    {
        foreach (int c in classes)
            if (c < 0 || c >= classCount)
                throw new GlassboxException($"Class {c} does not exist: the model has classes 0..{classCount - 1}.");
    }

    private sealed record All : TargetSelection;
    private sealed record Fixed(int[] Values) : TargetSelection;
    private sealed record Each(int[] Values) : TargetSelection;
}

namespace Glassbox.Generation.Explain.Traversals;

/// <summary>Settings of <see cref="LatentTraversal"/> (the β-VAE figures of Higgins et al. 2017 use ±3 and a handful of steps).</summary>
/// <param name="Steps">Images per row, evenly spaced from −<paramref name="Range"/>σ to +<paramref name="Range"/>σ (default 7; odd, so the middle image is the centre).</param>
/// <param name="Range">Half-width of the row in units of σ (default 3).</param>
public sealed record LatentTraversalOptions(int Steps = 7, double Range = 3.0)
{
    /// <summary>Most images per row.</summary>
    public const int MaxSteps = 33;

    /// <summary>Throws a <see cref="GlassboxException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Steps is < 2 or > MaxSteps) throw new GlassboxException($"A traversal needs 2–{MaxSteps} steps per row, not {Steps}.");
        if (!(Range > 0) || !double.IsFinite(Range) || Range > 10) throw new GlassboxException($"The traversal range must be in (0, 10] σ, not {Range}.");
    }

    /// <summary>The multiples of σ at which a row is decoded: t_s = −Range + 2·Range·s/(Steps−1).</summary>
    public double[] Offsets()
    {
        Validate();
        return Enumerable.Range(0, Steps).Select(s => -Range + 2 * Range * s / (Steps - 1)).ToArray();
    }
}

namespace Glassbox.Generation.Explain.Directions;

/// <summary>Settings of <see cref="EditSpecificity"/>.</summary>
/// <param name="MaxAlpha">Edits run from −MaxAlpha to +MaxAlpha along the unit direction (in prior standard deviations).</param>
/// <param name="Steps">Points on that grid, α = 0 included (odd).</param>
/// <param name="BatchSize">Edited codes decoded and classified at once.</param>
public sealed record EditSpecificityOptions(double MaxAlpha = 3, int Steps = 7, int BatchSize = 256)
{
    /// <summary>The α grid, evenly spaced, symmetric, with 0 in the middle.</summary>
    public double[] Alphas() => Enumerable.Range(0, Steps).Select(i => -MaxAlpha + 2 * MaxAlpha * i / (Steps - 1)).Select(a => Math.Abs(a) < 1e-12 ? 0 : a).ToArray();

    /// <summary>Throws a <see cref="GlassboxException"/> for an invalid setting.</summary>
    public void Validate()
    {
        if (!(MaxAlpha > 0) || !double.IsFinite(MaxAlpha)) throw new GlassboxException($"The largest edit α must be a positive number, not {MaxAlpha}.");
        if (Steps < 3 || Steps % 2 == 0) throw new GlassboxException($"The α grid needs an odd number of steps (at least 3) so that it holds 0, not {Steps}.");
        if (BatchSize < 1) throw new GlassboxException($"The batch size must be at least 1, not {BatchSize}.");
    }
}

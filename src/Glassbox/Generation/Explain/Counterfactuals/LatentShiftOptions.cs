namespace Glassbox.Generation.Explain.Counterfactuals;

/// <summary>
/// Settings of <see cref="LatentShift"/> (Cohen et al. 2021). The gradient is normalised to unit length, so
/// <see cref="Step"/> and <see cref="MaxShift"/> are distances in latent units (the prior's standard deviations);
/// <see cref="Frames"/> = 10 matches the reference implementation's sweep.
/// </summary>
/// <param name="Step">Increase of λ per search step.</param>
/// <param name="MaxShift">Largest λ tried before the search gives up.</param>
/// <param name="Frames">Frames of the morph, evenly spaced from λ = 0 to the λ that flipped the class.</param>
/// <param name="Objective">The classifier output whose gradient gives the direction.</param>
public sealed record LatentShiftOptions(double Step = 0.05, double MaxShift = 10, int Frames = 10, LatentShiftObjective Objective = LatentShiftObjective.Target)
{
    /// <summary>Throws a <see cref="GlassboxException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!(Step > 0) || !double.IsFinite(Step)) throw new GlassboxException($"The latent shift's step must be a finite number > 0, not {Step}.");
        if (!(MaxShift >= Step) || !double.IsFinite(MaxShift)) throw new GlassboxException($"The latent shift's largest shift must be finite and at least one step ({Step}), not {MaxShift}.");
        if (MaxShift / Step > 1_000_000) throw new GlassboxException($"The latent shift would take {MaxShift / Step:0} steps; use a larger step or a smaller largest shift.");
        if (Frames < 2) throw new GlassboxException($"A latent-shift morph needs at least 2 frames, not {Frames}.");
    }
}

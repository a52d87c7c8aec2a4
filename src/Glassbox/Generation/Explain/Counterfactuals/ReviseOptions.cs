namespace Glassbox.Generation.Explain.Counterfactuals;

/// <summary>
/// Settings of <see cref="Revise"/> (Joshi et al. 2019). Defaults follow the reference implementation in CARLA
/// (Adam, learning rate 0.1, at most 1000 steps, ℓ1 distance) except <see cref="Lambda"/>: CARLA's 0.5 weighs an ℓ1
/// norm over a few tabular features, while an image sums it over every pixel, so the default here is 0.01.
/// </summary>
/// <param name="Lambda">λ, weight of the distance ‖G(z) − x‖₁ against the classifier loss.</param>
/// <param name="Steps">Most Adam steps per counterfactual.</param>
/// <param name="LearningRate">Adam learning rate on the latent.</param>
/// <param name="Confidence">
/// Stop only once p(target | G(z)) ≥ this as well as being the arg-max; 0 (the default, REVISE's rule) stops at the
/// first arg-max, right at the decision boundary, where an independent classifier is close to a coin flip.
/// </param>
public sealed record ReviseOptions(double Lambda = 0.01, int Steps = 1000, double LearningRate = 0.1, double Confidence = 0)
{
    /// <summary>Throws a <see cref="GlassboxException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (!(Lambda >= 0) || !double.IsFinite(Lambda)) throw new GlassboxException($"REVISE's λ must be a finite number ≥ 0, not {Lambda}.");
        if (Steps < 1) throw new GlassboxException($"REVISE needs at least 1 step, not {Steps}.");
        if (!(Confidence >= 0 && Confidence < 1)) throw new GlassboxException($"REVISE's stopping confidence must lie in [0, 1), not {Confidence}.");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new GlassboxException($"REVISE's learning rate must be a finite number > 0, not {LearningRate}.");
    }
}

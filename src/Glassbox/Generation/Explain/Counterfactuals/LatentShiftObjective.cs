namespace Glassbox.Generation.Explain.Counterfactuals;

/// <summary>Which classifier output <see cref="LatentShift"/> differentiates through the decoder.</summary>
public enum LatentShiftObjective
{
    /// <summary>Move up the gradient of log p(target | G(z)).</summary>
    Target,
    /// <summary>Move down the gradient of log p(original | G(z)) (Cohen et al.'s "remove the finding" shift).</summary>
    Original,
}

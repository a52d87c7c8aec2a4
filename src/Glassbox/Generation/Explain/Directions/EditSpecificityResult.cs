namespace Glassbox.Generation.Explain.Directions;

/// <summary>What moving codes along one direction did to the classifier's probabilities and to the pictures.</summary>
/// <param name="Target">The class measured.</param>
/// <param name="Alphas">The α grid.</param>
/// <param name="TargetChange">Per α: mean over codes of p_target(z + αd) − p_target(z).</param>
/// <param name="OthersChange">Per α: mean over codes and the other classes of |p_c(z + αd) − p_c(z)|.</param>
/// <param name="BestAlpha">The α (sign included) that raises p_target most; the direction's sign is arbitrary for SeFa and GANSpace.</param>
/// <param name="TargetGain">max(0, TargetChange at <paramref name="BestAlpha"/>).</param>
/// <param name="OthersAtBest">OthersChange at <paramref name="BestAlpha"/>.</param>
/// <param name="Specificity">TargetGain / (TargetGain + OthersAtBest), 0 when nothing moves; at most (K−1)/K for K classes.</param>
/// <param name="BestClass">The class whose probability the direction raises most (at any α).</param>
/// <param name="BestClassGain">That class's mean probability gain.</param>
/// <param name="BestClassSpecificity">Specificity measured for <paramref name="BestClass"/> instead of the target.</param>
/// <param name="ImageVariance">Mean over codes of the per-pixel variance of G(z + αd) over the α grid.</param>
/// <param name="ActivationVariance">Mean over codes of the first layer's activation variance over the α grid, summed over units (null without a layer).</param>
public sealed record EditSpecificityResult(int Target, double[] Alphas, double[] TargetChange, double[] OthersChange, double BestAlpha,
    double TargetGain, double OthersAtBest, double Specificity, int BestClass, double BestClassGain, double BestClassSpecificity,
    double ImageVariance, double? ActivationVariance);

namespace Glassbox.Attribution.Propagation;

/// <summary>An LRP rule for a layer with weights (Montavon et al. 2019, "Layer-Wise Relevance Propagation: An Overview").</summary>
public enum LrpRule
{
    /// <summary>LRP-ε (<see cref="EpsilonRule"/>); ε → 0 is LRP-0 (= gradient × input on ReLU nets without biases).</summary>
    Epsilon,
    /// <summary>LRP-γ (<see cref="GammaRule"/>): weights and biases <c>w + γ·w⁺</c>, <c>b + γ·b⁺</c>.</summary>
    Gamma,
    /// <summary>LRP-z⁺ (<see cref="ZPlusRule"/>): only positive contributions <c>w⁺a⁺ + w⁻a⁻</c>, no bias.</summary>
    ZPlus,
    /// <summary>LRP-α1β0 (<see cref="AlphaBetaRule"/>): positive contributions including the positive part of the bias.</summary>
    Alpha1Beta0,
    /// <summary>LRP-α2β1 (<see cref="AlphaBetaRule"/>): twice the positive contributions minus the negative ones.</summary>
    Alpha2Beta1,
    /// <summary>LRP flat (<see cref="FlatRule"/>): relevance spread evenly over the receptive field.</summary>
    Flat,
    /// <summary>LRP-w² (<see cref="WSquareRule"/>): relevance in proportion to the squared weights.</summary>
    WSquare,
    /// <summary>LRP-z^B (<see cref="ZBoxRule"/>): for inputs bounded by the pixel range.</summary>
    ZBox,
    /// <summary>Zennit's generalised LRP-γ (<see cref="GeneralizedGammaRule"/>), for inputs of either sign.</summary>
    GeneralizedGamma,
}

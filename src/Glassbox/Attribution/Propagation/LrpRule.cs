namespace Glassbox.Attribution.Propagation;

/// <summary>An LRP rule for a layer with weights (Montavon et al. 2019, "Layer-Wise Relevance Propagation: An Overview").</summary>
public enum LrpRule
{
    /// <summary>LRP-ε: <c>R_j = a_j Σ_k w_jk R_k / (z_k + ε·sign(z_k))</c>; ε → 0 is LRP-0 (= gradient × input on ReLU nets without biases).</summary>
    Epsilon,
    /// <summary>LRP-γ: weights and biases <c>w + γ·w⁺</c>, <c>b + γ·b⁺</c>, favouring positive contributions (for non-negative inputs).</summary>
    Gamma,
    /// <summary>LRP-z⁺ (Zennit's ZPlus): only positive contributions <c>w⁺a⁺ + w⁻a⁻</c>, no bias.</summary>
    ZPlus,
    /// <summary>LRP-α1β0: positive contributions including the positive part of the bias.</summary>
    Alpha1Beta0,
}

/// <summary>
/// Which rule each layer type gets, as Zennit's composites: <c>epsilon</c> (ε everywhere, Captum's default),
/// <c>epsilon-plus</c> (z⁺ on convolutions, ε on dense layers), <c>epsilon-gamma</c> (γ on convolutions, ε on dense
/// layers), <c>alpha1-beta0</c> (α1β0 on both), <c>z-plus</c> and <c>gamma</c> (that rule on both).
/// </summary>
/// <param name="Convolution">Rule for Conv2d.</param>
/// <param name="Dense">Rule for Linear.</param>
public sealed record LrpComposite(LrpRule Convolution, LrpRule Dense)
{
    /// <summary>Composite names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["epsilon", "epsilon-plus", "epsilon-gamma", "alpha1-beta0", "z-plus", "gamma"];

    /// <summary>The composite called <paramref name="name"/>.</summary>
    public static LrpComposite Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "epsilon" => new(LrpRule.Epsilon, LrpRule.Epsilon),
        "epsilon-plus" => new(LrpRule.ZPlus, LrpRule.Epsilon),
        "epsilon-gamma" => new(LrpRule.Gamma, LrpRule.Epsilon),
        "alpha1-beta0" => new(LrpRule.Alpha1Beta0, LrpRule.Alpha1Beta0),
        "z-plus" => new(LrpRule.ZPlus, LrpRule.ZPlus),
        "gamma" => new(LrpRule.Gamma, LrpRule.Gamma),
        _ => throw new GlassboxException($"Unknown LRP composite '{name}'. Known: {string.Join(", ", Names)}."),
    };
}

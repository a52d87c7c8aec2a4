namespace Glassbox.Metrics;

/// <summary>The question a metric answers, as Quantus groups its metrics (Hedström et al. 2023), plus agreement between explanations.</summary>
public enum MetricCategory
{
    /// <summary>Do the attributions follow what the model actually uses (deletion, pixel flipping, ROAD, ...)?</summary>
    Faithfulness,
    /// <summary>Are the attributions stable under small input changes (max-sensitivity, local Lipschitz, ...)?</summary>
    Robustness,
    /// <summary>Do the attributions fall on the object (pointing game, relevance mass, ...)?</summary>
    Localisation,
    /// <summary>Are the attributions concise (sparseness, complexity, ...)?</summary>
    Complexity,
    /// <summary>Do the attributions change when the model or the target is randomised (MPRT, random logit, ...)?</summary>
    Randomisation,
    /// <summary>Do the attributions satisfy an axiom (completeness, non-sensitivity, input invariance, ...)?</summary>
    Axiomatic,
    /// <summary>Do two explanations of the same inputs agree (rank correlation, top-pixel overlap, ...)?</summary>
    Agreement,
}

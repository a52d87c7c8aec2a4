namespace Glassbox.Attribution;

/// <summary>Which model output an explanation attributes.</summary>
public enum OutputSpace
{
    /// <summary>The logits (pre-softmax scores); the SHAP/Captum default for classifiers.</summary>
    Logits,
    /// <summary>The softmax probabilities.</summary>
    Probabilities,
}

namespace Glassbox.Attribution.Propagation;

/// <summary>How DeepLIFT and DeepLiftShap treat max-pooling where an input equals its reference.</summary>
public enum MaxPoolRule
{
    /// <summary>SHAP's DeepExplainer cross-max rule, multiplier zero where |x − r| &lt; 1e-7 (<see cref="CrossMaxRule"/>).</summary>
    Shap,
    /// <summary>Captum's DeepLift rule: the plain gradient where |x − r| &lt; eps (<see cref="CaptumMaxPoolRule"/>).</summary>
    Captum,
}

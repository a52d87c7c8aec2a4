using System.Globalization;
using System.Text.RegularExpressions;

namespace Glassbox.Attribution.Shapley;

/// <summary>How KernelSHAP's <c>l1_reg</c> chooses the features it fits.</summary>
public enum L1Mode
{
    /// <summary>SHAP's <c>"auto"</c>: AIC when fewer than 20 % of the 2^M − 2 coalitions are evaluated, else every feature.</summary>
    Auto,
    /// <summary>Every feature (SHAP's <c>False</c> or 0).</summary>
    None,
    /// <summary>Lasso-LARS with the Akaike information criterion (scikit-learn's <c>LassoLarsIC(criterion="aic")</c>).</summary>
    Aic,
    /// <summary>Lasso-LARS with the Bayesian information criterion.</summary>
    Bic,
    /// <summary>The first k features to enter least angle regression (<c>num_features(k)</c>).</summary>
    NumFeatures,
    /// <summary>The features a Lasso with a fixed α keeps (a float <c>l1_reg</c>).</summary>
    Alpha,
}

/// <summary>
/// SHAP KernelExplainer's <c>l1_reg</c> (Lundberg and Lee 2017): before the constrained Shapley-kernel regression,
/// an L1-regularised fit on SHAP's augmented design picks the features that get a value; the rest get 0 and the
/// chosen ones still sum to f(x) − E[f(b)]. Parse the text forms with <see cref="Parse"/>.
/// </summary>
/// <param name="Mode">The rule.</param>
/// <param name="Features">k of <c>num_features(k)</c>.</param>
/// <param name="Alpha">α of the fixed Lasso.</param>
public sealed record L1Regularization(L1Mode Mode, int Features = 0, double Alpha = 0)
{
    /// <summary>SHAP's <c>"auto"</c>.</summary>
    public static L1Regularization Auto { get; } = new(L1Mode.Auto);
    /// <summary>No selection.</summary>
    public static L1Regularization None { get; } = new(L1Mode.None);
    /// <summary>AIC selection.</summary>
    public static L1Regularization Aic { get; } = new(L1Mode.Aic);
    /// <summary>BIC selection.</summary>
    public static L1Regularization Bic { get; } = new(L1Mode.Bic);

    /// <summary><c>num_features(k)</c>: keep the first k features least angle regression selects.</summary>
    public static L1Regularization NumFeatures(int k) => k >= 1 ? new(L1Mode.NumFeatures, Features: k)
        : throw new GlassboxException($"l1_reg num_features(k) needs k ≥ 1, not {k}.");

    /// <summary>A Lasso with a fixed α (α = 0 means no selection, as in SHAP).</summary>
    public static L1Regularization Lasso(double alpha) => alpha >= 0 && double.IsFinite(alpha)
        ? (alpha == 0 ? None : new(L1Mode.Alpha, Alpha: alpha))
        : throw new GlassboxException($"l1_reg alpha must be a finite number ≥ 0, not {alpha}.");

    /// <summary>
    /// Parses SHAP's text forms: <c>auto</c>, <c>aic</c>, <c>bic</c>, <c>num_features(K)</c>, a number α (Lasso; 0 = none),
    /// or <c>false</c> / <c>none</c> / <c>off</c>.
    /// </summary>
    public static L1Regularization Parse(string text)
    {
        string s = text.Trim().ToLowerInvariant();
        switch (s)
        {
            case "auto": return Auto;
            case "aic": return Aic;
            case "bic": return Bic;
            case "false" or "none" or "off": return None;
        }
        var m = Regex.Match(s, @"^num_features\(\s*(-?\d+)\s*\)$");
        if (m.Success)
            return int.TryParse(m.Groups[1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int k) ? NumFeatures(k)
                : throw new GlassboxException($"l1_reg '{text}': the number of features is too large.");
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double alpha)) return Lasso(alpha);
        throw new GlassboxException($"Unknown l1_reg '{text}'. Use auto, aic, bic, num_features(K), a Lasso alpha such as 0.01, or false.");
    }

    /// <summary>Whether features are selected for M features when <paramref name="fractionEvaluated"/> of the coalitions were evaluated (SHAP's rule).</summary>
    public bool Applies(double fractionEvaluated) => Mode switch
    {
        L1Mode.None => false,
        L1Mode.Auto => fractionEvaluated < 0.2,
        _ => true,
    };

    /// <summary>SHAP's text form.</summary>
    public override string ToString() => Mode switch
    {
        L1Mode.Auto => "auto",
        L1Mode.None => "false",
        L1Mode.Aic => "aic",
        L1Mode.Bic => "bic",
        L1Mode.NumFeatures => $"num_features({Features})",
        _ => Alpha.ToString("R", CultureInfo.InvariantCulture),
    };
}

namespace Glassbox.Generation.Explain.Attribution;

/// <summary>Settings of <see cref="LatentAttribution"/>.</summary>
/// <param name="Method">Gradient method run in latent space: <c>integrated-gradients</c> (default), <c>saliency</c>,
/// <c>input-x-gradient</c>, <c>gradient-shap</c> or <c>smoothgrad</c> (the noise tunnel over signed saliency).</param>
/// <param name="NSteps">Integrated-gradients points on the path (64: the number at which completeness is held to 1e-3; Captum's default is 50).</param>
/// <param name="Baseline">Integrated-gradients baseline code, L values; null = the zero code (the prior's mean and mode).</param>
/// <param name="NSamples">Samples per code of GradientSHAP (Captum <c>n_samples</c>, 5) and of SmoothGrad (Captum <c>nt_samples</c>, 5).</param>
/// <param name="Stdevs">Noise standard deviation in latent units: SmoothGrad's (Captum's <c>stdevs</c> default 1.0 — one prior σ, 1/6
/// of the ±3σ range, inside the 10–20 % Smilkov et al. 2017 recommend) and GradientSHAP's (Captum's 0.0).</param>
/// <param name="BaselineCodes">GradientSHAP's baseline distribution: this many codes drawn from the prior N(0, I) (default 32).</param>
/// <param name="Seed">Seeds every random draw.</param>
/// <param name="Tolerance">Integrated gradients only: when set, codes whose relative completeness error exceeds it are
/// explained again with twice the steps, until it holds or <paramref name="MaxSteps"/> is reached (null = one pass at NSteps).</param>
/// <param name="MaxSteps">Most steps the refinement uses (default 1024).</param>
public sealed record LatentAttributionOptions(
    string Method = "integrated-gradients", int NSteps = 64, float[]? Baseline = null, int NSamples = 5, double? Stdevs = null,
    int BaselineCodes = 32, int Seed = 0, double? Tolerance = null, int MaxSteps = 1024)
{
    /// <summary>The methods that run in latent space.</summary>
    public static IReadOnlyList<string> Methods { get; } = ["integrated-gradients", "saliency", "input-x-gradient", "gradient-shap", "smoothgrad"];

    /// <summary>Throws a <see cref="GlassboxException"/> naming the first invalid setting.</summary>
    public void Validate(int latentSize)
    {
        if (!Methods.Contains(Method)) throw new GlassboxException($"'{Method}' does not run in latent space; use one of: {string.Join(", ", Methods)}.");
        if (NSteps is < 1 or > 100_000) throw new GlassboxException($"Integrated gradients needs 1–100000 steps, not {NSteps}.");
        if (NSamples is < 1 or > 100_000) throw new GlassboxException($"Use 1–100000 samples per code, not {NSamples}.");
        if (BaselineCodes is < 1 or > 10_000) throw new GlassboxException($"Draw 1–10000 baseline codes, not {BaselineCodes}.");
        if (Stdevs is double s && (!(s >= 0) || !double.IsFinite(s))) throw new GlassboxException($"The noise standard deviation must be a finite number ≥ 0, not {s}.");
        if (Tolerance is double t && (!(t > 0) || !double.IsFinite(t))) throw new GlassboxException($"The completeness tolerance must be a positive number, not {t}.");
        if (MaxSteps < NSteps || MaxSteps > 100_000) throw new GlassboxException($"The most steps ({MaxSteps}) must be at least the steps ({NSteps}) and at most 100000.");
        if (Baseline is float[] b)
        {
            if (b.Length != latentSize) throw new GlassboxException($"The baseline code has {b.Length} values but the latent has {latentSize} dimensions.");
            if (b.Any(v => !float.IsFinite(v))) throw new GlassboxException("The baseline code contains NaN or infinite values.");
        }
    }
}

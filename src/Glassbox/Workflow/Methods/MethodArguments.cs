using Glassbox.Attribution;
using Glassbox.Attribution.FeatureMasks;

namespace Glassbox.Workflow.Methods;

/// <summary>
/// Method settings as the command line gives them, named after Captum's parameters. Null means "the method's
/// reference default"; each <see cref="MethodEntry"/> reads the fields it documents and ignores the rest.
/// </summary>
public sealed record MethodArguments
{
    /// <summary>Logits (default) or probabilities.</summary>
    public OutputSpace Output { get; init; } = OutputSpace.Logits;
    /// <summary>Seed for random methods.</summary>
    public int Seed { get; init; }
    /// <summary>Captum <c>internal_batch_size</c>: points (or pairs) evaluated per forward/backward pass.</summary>
    public int? InternalBatchSize { get; init; }
    /// <summary>Captum <c>n_steps</c> (integrated gradients).</summary>
    public int? NSteps { get; init; }
    /// <summary>Captum <c>method</c> of integrated gradients: gausslegendre, riemann_left, riemann_right, riemann_middle, riemann_trapezoid.</summary>
    public string? IntegrationMethod { get; init; }
    /// <summary>Captum/SHAP <c>n_samples</c> / <c>nsamples</c>.</summary>
    public int? NSamples { get; init; }
    /// <summary>Captum <c>stdevs</c> of the method itself (GradientSHAP noise).</summary>
    public double? Stdevs { get; init; }
    /// <summary>SHAP GradientExplainer <c>local_smoothing</c>.</summary>
    public double? LocalSmoothing { get; init; }
    /// <summary>Captum NoiseTunnel <c>nt_type</c>: smoothgrad, smoothgrad_sq, vargrad; null = no noise tunnel.</summary>
    public string? NtType { get; init; }
    /// <summary>Captum NoiseTunnel <c>nt_samples</c>.</summary>
    public int? NtSamples { get; init; }
    /// <summary>Captum NoiseTunnel <c>stdevs</c>.</summary>
    public double? NtStdevs { get; init; }
    /// <summary>Captum <c>baselines</c>; distribution methods get B images here.</summary>
    public Baseline? Baselines { get; init; }
    /// <summary>Saliency <c>abs</c> (true by default in Captum).</summary>
    public bool? Abs { get; init; }
    /// <summary>Captum <c>sliding_window_shapes</c> (C,H,W or H,W).</summary>
    public int[]? SlidingWindow { get; init; }
    /// <summary>Captum <c>strides</c> (C,H,W, H,W or one value).</summary>
    public int[]? Strides { get; init; }
    /// <summary>Captum <c>feature_mask</c>.</summary>
    public MaskSource? FeatureMask { get; init; }
    /// <summary>Captum <c>perturbations_per_eval</c>.</summary>
    public int? PerturbationsPerEval { get; init; }
    /// <summary>Layer for CAM methods: an index into the model's layers, or "last-conv" (default).</summary>
    public string? Layer { get; init; }
    /// <summary>CAM upsampling: nearest (Captum's LayerAttribution.interpolate default) or bilinear.</summary>
    public string? Interpolation { get; init; }
    /// <summary>Captum <c>relu_attributions</c> for Grad-CAM.</summary>
    public bool? ReluAttributions { get; init; }
    /// <summary>LRP composite: epsilon, epsilon-plus, epsilon-gamma, alpha1-beta0, ...</summary>
    public string? Composite { get; init; }
    /// <summary>LRP epsilon.</summary>
    public double? Epsilon { get; init; }
    /// <summary>LRP gamma.</summary>
    public double? Gamma { get; init; }
    /// <summary>SHAP <c>max_evals</c> (partition SHAP).</summary>
    public int? MaxEvals { get; init; }
    /// <summary>SHAP image masker: blur(k,k), inpaint_telea, inpaint_ns, or a constant.</summary>
    public string? Masker { get; init; }
    /// <summary>LIME Lasso <c>alpha</c>.</summary>
    public double? Alpha { get; init; }
    /// <summary>LIME exponential kernel width.</summary>
    public double? KernelWidth { get; init; }
}

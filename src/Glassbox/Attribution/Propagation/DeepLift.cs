using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.Common;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>Settings for <see cref="DeepLift"/> (Captum's defaults).</summary>
/// <param name="Baselines">One reference per input (Captum's <c>baselines</c>); default zeros.</param>
/// <param name="Output">Explain logits (default) or softmax probabilities.</param>
/// <param name="InternalBatchSize">Inputs propagated together; bounds memory.</param>
/// <param name="Epsilon">Below this |x − r| a nonlinearity's multiplier falls back to its derivative (Captum: 1e-10).</param>
/// <param name="AdditivityTolerance">Each explanation must satisfy |f(x) − f(r) − Σφ| ≤ tolerance · max(1, |f(x)|).</param>
/// <param name="MaxPoolRule">Max-pooling rule: SHAP's cross-max (default, exact) or Captum's (the gradient where |x − r| &lt; ε).</param>
public sealed record DeepLiftOptions(
    [property: Option("baselines", Reference = "baselines", Default = "zeros", Help = "zeros, constant:V, blur, blur:SIGMA or a .npy of images")] Baseline? Baselines = null,
    [property: Option("output", Help = "logits or probabilities (softmax)")] OutputSpace Output = OutputSpace.Logits,
    [property: Option("internal-batch-size", Reference = "internal_batch_size", Min = 1, Max = 1000000, Help = "Inputs propagated together")] int InternalBatchSize = 64,
    [property: Option("epsilon", Reference = "eps", Min = 0, Help = "Below this |x − r| a nonlinearity's multiplier falls back to its gradient")] double Epsilon = 1e-10,
    double AdditivityTolerance = 1e-4,
    [property: Option("maxpool-rule", Help = "Max-pooling where input equals reference: shap (cross-max, zero multiplier; shap.DeepExplainer) or captum (keeps the gradient; captum.attr.DeepLift)")] MaxPoolRule MaxPoolRule = MaxPoolRule.Shap);

/// <summary>
/// DeepLIFT with the rescale rule (Shrikumar, Greenside and Kundaje 2017, "Learning Important Features Through
/// Propagating Activation Differences"), as Captum's <c>DeepLift</c>: one reference per input,
/// <c>φ = (x − r) ⊙ m</c> with the multipliers of a modified backward pass, so <c>Σφ = f(x) − f(r)</c> (checked and
/// reported for every explanation). It runs on the propagation engine with <see cref="Composites.Rescale"/>:
/// max-pooling and softmax use rules that keep this exact (<see cref="CrossMaxRule"/>, <see cref="SoftmaxPathRule"/>),
/// where Captum's break it. Models need visible layers; a module used twice or a layer without a rule is refused.
/// </summary>
public sealed class DeepLift : IAttributionMethod
{
    private const int SoftmaxNodes = 64;
    private readonly IImageModel _model;
    private readonly DeepLiftPass _pass;

    /// <summary>Prepares DeepLIFT for <paramref name="model"/>.</summary>
    public DeepLift(IImageModel model, DeepLiftOptions? options = null)
    {
        Options = options ?? new DeepLiftOptions();
        if (Options.InternalBatchSize < 1) throw new GlassboxException($"The internal batch size must be at least 1, not {Options.InternalBatchSize}.");
        if (!(Options.Epsilon >= 0)) throw new GlassboxException($"Epsilon must be non-negative, not {Options.Epsilon}.");
        _model = model;
        ModelCapabilities.RequireGradients(model, "DeepLIFT");
        _pass = new DeepLiftPass(model, Options.Epsilon, "DeepLIFT", SoftmaxNodes, Options.MaxPoolRule);
    }

    /// <summary>The settings in use.</summary>
    public DeepLiftOptions Options { get; }

    /// <inheritdoc />
    public string Name => "deep-lift";

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        InputChecks.Images(_model, inputs);
        using var outer = torch.NewDisposeScope();
        var x = inputs.detach().to(_model.Device);
        var r = (Options.Baselines ?? Baseline.Zeros).PerInput(x);
        InputChecks.Finite(r, "baseline images");
        var builder = new ExplanationBuilder("DeepLift", Options, x.shape, targets, _model.Info.Classes);
        int n = builder.N, k = builder.K, classes = _model.Info.Classes;
        var outputs = new double[n * k];
        var baseValues = new double[n * k];
        for (int start = 0; start < n; start += Options.InternalBatchSize)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            int m = Math.Min(Options.InternalBatchSize, n - start);
            var xc = x.narrow(0, start, m);
            var rc = r.narrow(0, start, m);
            var xt = _pass.Trace(xc);
            var rt = _pass.Trace(rc);
            var prepared = _pass.Prepare(xt, rt, aligned: true);
            Tensor? jac = Options.Output == OutputSpace.Probabilities ? SoftmaxPathRule.PathJacobian(xt[^1], rt[^1], SoftmaxNodes) : null;
            var fx = Options.Output == OutputSpace.Logits ? xt[^1] : nn.functional.softmax(xt[^1], 1);
            var fr = Options.Output == OutputSpace.Logits ? rt[^1] : nn.functional.softmax(rt[^1], 1);
            var delta = xc - rc;
            for (int slot = 0; slot < k; slot++)
            {
                var cls = Enumerable.Range(start, m).Select(i => (long)builder.Targets[i * k + slot]).ToArray();
                var oneHot = nn.functional.one_hot(torch.tensor(cls, device: xc.device), classes).to_type(xt[^1].dtype);
                // Probabilities: the softmax rule maps the one-hot at the probabilities to the logits.
                var g0 = jac is null ? oneHot : oneHot.to_type(ScalarType.Float64).unsqueeze(1).matmul(jac).squeeze(1).to_type(xt[^1].dtype);
                var g = _pass.Backward(prepared, g0);
                builder.SetSlot(slot, g * delta, start);
                var idx = torch.tensor(cls, device: xc.device).unsqueeze(1);
                var fxs = fx.gather(1, idx).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
                var frs = fr.gather(1, idx).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
                for (int i = 0; i < m; i++) { outputs[(start + i) * k + slot] = fxs[i]; baseValues[(start + i) * k + slot] = frs[i]; }
            }
            progress?.Report((start + m, n));
        }
        return builder.Build(Options.Output, outputs, baseValues, completeness: true, Options.AdditivityTolerance);
    }
}

using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.Common;
using Glassbox.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>Settings for <see cref="Lrp"/>.</summary>
/// <param name="Composite">Rule per layer type: epsilon (default, as Captum), epsilon-plus, epsilon-gamma, alpha1-beta0, z-plus, gamma.</param>
/// <param name="Epsilon">ε of the ε rule (Captum's EpsilonRule default 1e-9; smaller values, LRP-0 included, use 1e-9 to avoid division by zero).</param>
/// <param name="Gamma">γ of the γ rule (Zennit's default 0.25).</param>
/// <param name="InternalBatchSize">Inputs per pass.</param>
public sealed record LrpOptions(
    [property: Option("composite", Help = "Rules per layer type: epsilon, epsilon-plus, epsilon-gamma, alpha1-beta0, z-plus, gamma, ...")] string Composite = "epsilon",
    [property: Option("epsilon", Reference = "epsilon", Min = 0, Help = "ε of the ε rule")] double Epsilon = 1e-9,
    [property: Option("gamma", Reference = "gamma", Min = 0, Help = "γ of the γ rule")] double Gamma = 0.25,
    [property: Option("internal-batch-size", Min = 1, Max = 1000000, Help = "Inputs per pass")] int InternalBatchSize = 64);

/// <summary>
/// Layer-wise relevance propagation (Bach et al. 2015, "On Pixel-Wise Explanations for Non-Linear Classifier Decisions
/// by Layer-Wise Relevance Propagation"; rules from Montavon et al. 2019). Relevance starts as the target logit and is
/// redistributed layer by layer: weighted layers by the composite's rule, activations pass it unchanged, max-pooling
/// winner-take-all, average pooling and batch norm by the ε rule; a softmax at the end is skipped (the logit is
/// explained). Conservation Σ R = f(x) is reported per explanation (exact only for LRP-0 without biases; biases and
/// ε absorb relevance), as a measure, not a failure.
/// </summary>
public sealed class Lrp : IAttributionMethod
{
    private const double Stabilizer = 1e-9;
    private readonly IImageModel _model;
    private readonly IReadOnlyList<nn.Module<Tensor, Tensor>> _layers;
    private readonly LrpComposite _composite;

    /// <summary>Prepares LRP for <paramref name="model"/>; refuses opaque models and layers without a rule.</summary>
    public Lrp(IImageModel model, LrpOptions? options = null)
    {
        Options = options ?? new LrpOptions();
        if (!(Options.Epsilon >= 0)) throw new GlassboxException($"LRP epsilon must be non-negative, not {Options.Epsilon}.");
        if (!(Options.Gamma >= 0)) throw new GlassboxException($"LRP gamma must be non-negative, not {Options.Gamma}.");
        if (Options.InternalBatchSize < 1) throw new GlassboxException($"The internal batch size must be at least 1, not {Options.InternalBatchSize}.");
        _composite = LrpComposite.Parse(Options.Composite);
        _model = model;
        ModelCapabilities.RequireGradients(model, "LRP");
        var layers = ModelCapabilities.RequireLayers(model, "LRP");
        RescaleRule.CheckLayers(layers, "LRP");
        for (int i = 0; i < layers.Count; i++)
            if (layers[i] is Softmax && i != layers.Count - 1)
                throw new GlassboxException($"Layer {i} (Softmax) is not the last layer; LRP supports a softmax only at the output, where it is skipped.");
        _layers = layers.Count > 0 && layers[^1] is Softmax ? layers.Take(layers.Count - 1).ToList() : layers;
    }

    /// <summary>The settings in use.</summary>
    public LrpOptions Options { get; }

    /// <inheritdoc />
    public string Name => "lrp";

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        ModelCapabilities.CheckInput(_model, inputs);
        PropagationChecks.Finite(inputs, "input");
        var x = inputs.detach().to(_model.Device);
        var builder = new ExplanationBuilder("Lrp", Options, x.shape, targets, _model.Info.Classes);
        int n = builder.N, k = builder.K;
        var outputs = new double[n * k];
        for (int start = 0; start < n; start += Options.InternalBatchSize)
        {
            cancel.ThrowIfCancellationRequested();
            int m = Math.Min(Options.InternalBatchSize, n - start);
            using var scope = torch.NewDisposeScope();
            var acts = new Tensor[_layers.Count + 1];
            using (torch.no_grad())
            {
                acts[0] = _model.Preprocess(x.narrow(0, start, m));
                for (int i = 0; i < _layers.Count; i++) acts[i + 1] = _layers[i].forward(acts[i]);
            }
            for (int slot = 0; slot < k; slot++)
            {
                var cls = Enumerable.Range(start, m).Select(i => (long)builder.Targets[i * k + slot]).ToArray();
                var idx = torch.tensor(cls, device: x.device).unsqueeze(1);
                var logit = acts[^1].gather(1, idx);
                var relevance = torch.zeros_like(acts[^1]).scatter_(1, idx, logit);
                for (int i = _layers.Count - 1; i >= 0; i--) relevance = Propagate(_layers[i], acts[i], acts[i + 1], relevance);
                builder.SetSlot(slot, relevance, start);
                var lv = logit.squeeze(1).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
                for (int i = 0; i < m; i++) outputs[(start + i) * k + slot] = lv[i];
            }
            progress?.Report((start + m, n));
        }
        // Base value 0: relevance should sum to f(x); the error measures conservation.
        return builder.Build(OutputSpace.Logits, outputs, new double[n * k], completeness: true, tolerance: 1e-4, guaranteed: false);
    }

    // a: the layer's input, output: its output (reused as z by the ε rule), r: relevance at the output.
    private Tensor Propagate(nn.Module<Tensor, Tensor> layer, Tensor a, Tensor output, Tensor r)
    {
        switch (layer)
        {
            case Conv2d conv:
                return Weighted(a, r, _composite.Convolution, (z, w, b) => nn.functional.conv2d(z, w, b, conv.stride, conv.padding ?? [0, 0], conv.dilation, conv.groups),
                    (s, w) => LayerTrace.ConvTranspose(conv, w, s, a.shape), conv.weight!, conv.bias, output);
            case Linear lin:
                return Weighted(a, r, _composite.Dense, (z, w, b) => nn.functional.linear(z, w, b), (s, w) => s.matmul(w), lin.weight!, lin.bias, output);
            case Flatten:
                return r.reshape(a.shape);
            case MaxPool2d:
                return LayerTrace.Vjp(layer, a, r); // winner takes all
            case AvgPool2d or BatchNorm2d:
                return a * LayerTrace.Vjp(layer, a, r / Stabilize(output, Options.Epsilon));
            default: // activations, dropout (evaluation mode), identity: relevance passes unchanged
                return r;
        }
    }

    // Every rule is R_in = a ⊙ Wᵀ(R / z) for some (W, b, inputs); Wᵀ is the layer's transposed operation.
    private Tensor Weighted(Tensor a, Tensor r, LrpRule rule, Func<Tensor, Tensor, Tensor?, Tensor> forward, Func<Tensor, Tensor, Tensor> transpose,
        Tensor weight, Tensor? bias, Tensor output)
    {
        using var noGrad = torch.no_grad();
        var w = weight.detach();
        var b = bias?.detach();
        switch (rule)
        {
            case LrpRule.Epsilon:
                return a * transpose(r / Stabilize(output, Options.Epsilon), w);
            case LrpRule.Gamma:
            {
                var wg = w + Options.Gamma * w.clamp_min(0);
                var z = forward(a, wg, b is null ? null : b + Options.Gamma * b.clamp_min(0));
                return a * transpose(r / Stabilize(z, Stabilizer), wg);
            }
            default:
            {
                // Positive contributions: w⁺a⁺ + w⁻a⁻ (+ b⁺ for α1β0).
                var ap = a.clamp_min(0);
                var an = a.clamp_max(0);
                var wp = w.clamp_min(0);
                var wn = w.clamp_max(0);
                var bp = rule == LrpRule.Alpha1Beta0 && b is not null ? b.clamp_min(0) : null;
                var z = forward(ap, wp, bp) + forward(an, wn, null);
                var s = r / Stabilize(z, Stabilizer);
                return ap * transpose(s, wp) + an * transpose(s, wn);
            }
        }
    }

    // z + ε·sign(z), with sign(0) = +1 so no division by zero (ε is at least 1e-9 here).
    private static Tensor Stabilize(Tensor z, double epsilon)
    {
        double e = Math.Max(epsilon, Stabilizer);
        return torch.where(z >= 0, z + e, z - e);
    }
}

using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.Common;
using Glassbox.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>Settings for <see cref="Lrp"/>.</summary>
/// <param name="Composite">Rule per layer type: epsilon (default, as Captum), epsilon-plus, epsilon-gamma, alpha1-beta0, z-plus, gamma, epsilon-plus-flat, epsilon-gamma-box, epsilon-alpha2-beta1 (see <see cref="LrpComposite"/>).</param>
/// <param name="Epsilon">ε of the ε rule (Captum's EpsilonRule default 1e-9; smaller values, LRP-0 included, use 1e-9 to avoid division by zero).</param>
/// <param name="Gamma">γ of the γ rule (Zennit's default 0.25).</param>
/// <param name="InternalBatchSize">Inputs per pass.</param>
public sealed record LrpOptions(
    [property: Option("composite", TextOf = typeof(LrpComposite), Help = "Rules per layer type (Zennit composites)")] string Composite = "epsilon",
    [property: Option("epsilon", Reference = "epsilon", Min = 0, Help = "ε of the ε rule")] double Epsilon = 1e-9,
    [property: Option("gamma", Reference = "gamma", Min = 0, Help = "γ of the γ rule")] double Gamma = 0.25,
    [property: Option("internal-batch-size", Min = 1, Max = 1000000, Help = "Inputs per pass")] int InternalBatchSize = 64);

/// <summary>
/// Layer-wise relevance propagation (Bach et al. 2015, "On Pixel-Wise Explanations for Non-Linear Classifier Decisions
/// by Layer-Wise Relevance Propagation"; rules from Montavon et al. 2019). Relevance starts as the target logit and is
/// redistributed layer by layer on the propagation engine, each layer by the rule its <see cref="LrpComposite"/>
/// assigns (<see cref="LayerRules"/>); a softmax at the end is skipped (the logit is explained). Conservation
/// Σ R = f(x) is reported per explanation (exact only for LRP-0 without biases; biases and ε absorb relevance), as a
/// measure, not a failure.
/// </summary>
public sealed class Lrp : IAttributionMethod
{
    private readonly IImageModel _model;
    private readonly BackwardPass _pass;

    /// <summary>Prepares LRP for <paramref name="model"/>; refuses opaque models and layers without a rule.</summary>
    public Lrp(IImageModel model, LrpOptions? options = null)
    {
        Options = options ?? new LrpOptions();
        if (!(Options.Epsilon >= 0)) throw new GlassboxException($"LRP epsilon must be non-negative, not {Options.Epsilon}.");
        if (!(Options.Gamma >= 0)) throw new GlassboxException($"LRP gamma must be non-negative, not {Options.Gamma}.");
        if (Options.InternalBatchSize < 1) throw new GlassboxException($"The internal batch size must be at least 1, not {Options.InternalBatchSize}.");
        var composite = LrpComposite.Parse(Options.Composite);
        _model = model;
        ModelCapabilities.RequireGradients(model, "LRP");
        var graph = LayerGraph.FromModel(model, "LRP");
        for (int i = 0; i < graph.Nodes.Count - 1; i++)
            if (graph.Nodes[i].Module is Softmax)
                throw new GlassboxException($"Layer {i} (Softmax) is not the last layer; LRP supports a softmax only at the output, where it is skipped.");
        if (graph.Nodes.Count > 0 && graph.Nodes[^1].Module is Softmax s && s.dim != 1 && s.dim != -1)
            throw new GlassboxException($"Layer {graph.Nodes.Count - 1} (Softmax over dimension {s.dim}) is not supported; LRP handles softmax over the classes of an N×K output.");
        _pass = composite.Build(Options, model).Build(graph.WithoutLast<Softmax>(), "LRP");
        LayerRules = _pass.Graph.Nodes.Select((node, i) => $"{node.Describe()}: {_pass.Rules[i].Name}").ToList();
    }

    /// <summary>The settings in use.</summary>
    public LrpOptions Options { get; }

    /// <inheritdoc />
    public string Name => "lrp";

    /// <summary>The rule of every layer after canonizing, as "Conv2d: z-box" (graph nodes: "node 'conv1' (Conv2d): z-box"; in order; a final softmax is left out).</summary>
    public IReadOnlyList<string> LayerRules { get; }

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        InputChecks.Images(_model, inputs);
        var x = inputs.detach().to(_model.Device);
        var builder = new ExplanationBuilder("Lrp", Options, x.shape, targets, _model.Info.Classes);
        int n = builder.N, k = builder.K;
        var outputs = new double[n * k];
        for (int start = 0; start < n; start += Options.InternalBatchSize)
        {
            cancel.ThrowIfCancellationRequested();
            int m = Math.Min(Options.InternalBatchSize, n - start);
            using var scope = torch.NewDisposeScope();
            var values = _pass.Graph.Forward(_model.Preprocess(x.narrow(0, start, m)));
            var prepared = _pass.Prepare(values);
            for (int slot = 0; slot < k; slot++)
            {
                var cls = Enumerable.Range(start, m).Select(i => (long)builder.Targets[i * k + slot]).ToArray();
                var idx = torch.tensor(cls, device: x.device).unsqueeze(1);
                var logit = values[^1].gather(1, idx);
                var relevance = _pass.Backward(prepared, torch.zeros_like(values[^1]).scatter_(1, idx, logit));
                builder.SetSlot(slot, relevance, start);
                var lv = logit.squeeze(1).to_type(ScalarType.Float64).cpu().data<double>().ToArray();
                for (int i = 0; i < m; i++) outputs[(start + i) * k + slot] = lv[i];
            }
            progress?.Report((start + m, n));
        }
        // Base value 0: relevance should sum to f(x); the error measures conservation.
        return builder.Build(OutputSpace.Logits, outputs, new double[n * k], completeness: true, tolerance: 1e-4, guaranteed: false);
    }
}

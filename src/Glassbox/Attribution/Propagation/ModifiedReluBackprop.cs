using Glassbox.Attribution.Common;
using Glassbox.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>How a backward pass treats ReLU modules.</summary>
internal enum ReluBackward
{
    /// <summary>Guided backpropagation: the usual ReLU gradient, then negative gradients set to zero.</summary>
    Guided,
    /// <summary>Deconvolution: ReLU applied to the gradient; the forward activation is ignored.</summary>
    Deconvolution,
}

/// <summary>
/// The gradient of a sequential model with the backward pass of every ReLU module replaced, as Captum's
/// <c>ModifiedReluGradientAttribution</c> does; every other layer uses its ordinary gradient.
/// </summary>
internal sealed class ModifiedReluBackprop
{
    private readonly IImageModel _model;
    private readonly IReadOnlyList<nn.Module<Tensor, Tensor>> _layers;
    private readonly ReluBackward _rule;

    public ModifiedReluBackprop(IImageModel model, ReluBackward rule, string method)
    {
        _model = model;
        _rule = rule;
        ModelCapabilities.RequireGradients(model, method);
        _layers = ModelCapabilities.RequireLayers(model, method);
        var seen = new HashSet<nn.Module>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < _layers.Count; i++)
            if (!seen.Add(_layers[i]))
                throw new GlassboxException($"Layer {i} ({_layers[i].GetType().Name}) is the same module as an earlier layer (a module used twice); {method} needs each module once. Give each use its own module.");
    }

    /// <summary>N×C×H×W modified gradients of the selected output (logit, or probability through the softmax) with respect to the pixels, and f(x).</summary>
    public (Tensor Gradients, Tensor Scores) Compute(Tensor pixels, long[] classes, OutputSpace output)
    {
        using var scope = torch.NewDisposeScope();
        Tensor[] acts;
        using (torch.no_grad())
        {
            acts = new Tensor[_layers.Count + 1];
            acts[0] = _model.Preprocess(pixels);
            for (int i = 0; i < _layers.Count; i++) acts[i + 1] = _layers[i].forward(acts[i]);
        }
        var idx = torch.tensor(classes, device: pixels.device).unsqueeze(1);
        Tensor g;
        Tensor scores;
        var logits = acts[^1];
        if (output == OutputSpace.Logits)
        {
            g = torch.zeros_like(logits).scatter_(1, idx, torch.ones_like(idx, dtype: logits.dtype));
            scores = logits.gather(1, idx).squeeze(1);
        }
        else
        {
            using var enable = torch.enable_grad();
            var z = logits.detach().requires_grad_(true);
            var p = nn.functional.softmax(z, 1).gather(1, idx).squeeze(1);
            g = torch.autograd.grad([p.sum()], [z])[0].detach();
            scores = p.detach();
        }
        for (int i = _layers.Count - 1; i >= 0; i--)
        {
            g = _layers[i] switch
            {
                ReLU => _rule == ReluBackward.Guided ? (g * (acts[i] > 0).to_type(g.dtype)).clamp_min(0) : g.clamp_min(0),
                // Linear layers by their transposed operation; anything else by autograd at the layer's input.
                Conv2d conv => LayerTrace.ConvTranspose(conv, conv.weight!.detach(), g, acts[i].shape),
                Linear lin => g.matmul(lin.weight!.detach()),
                Flatten => g.reshape(acts[i].shape),
                Dropout or Identity => g,
                _ => LayerTrace.Vjp(_layers[i], acts[i], g),
            };
        }
        // Through the input normalisation (affine): d/dpixels = d/dz / std.
        if (_model.Info.Std is float[] std)
            g = g / torch.tensor(std, [1, std.Length, 1, 1], device: g.device);
        return (g.MoveToOuterDisposeScope(), scores.MoveToOuterDisposeScope());
    }

    /// <summary>Runs the method over inputs and targets in internal batches and builds the explanation.</summary>
    public Explanation Attribute(string method, object settings, Tensor inputs, TargetSelection targets, OutputSpace output, int batch,
        IProgress<(int Done, int Total)>? progress, CancellationToken cancel)
    {
        if (batch < 1) throw new GlassboxException($"The internal batch size must be at least 1, not {batch}.");
        ModelCapabilities.CheckInput(_model, inputs);
        PropagationChecks.Finite(inputs, "input");
        var x = inputs.detach().to(_model.Device);
        var builder = new ExplanationBuilder(method, settings, x.shape, targets, _model.Info.Classes);
        int n = builder.N, k = builder.K;
        var outputs = new double[n * k];
        for (int start = 0; start < n; start += batch)
        {
            cancel.ThrowIfCancellationRequested();
            int m = Math.Min(batch, n - start);
            using var scope = torch.NewDisposeScope();
            var xc = x.narrow(0, start, m);
            for (int slot = 0; slot < k; slot++)
            {
                var cls = Enumerable.Range(start, m).Select(i => (long)builder.Targets[i * k + slot]).ToArray();
                var (g, s) = Compute(xc, cls, output);
                builder.SetSlot(slot, g, start);
                var sv = s.to_type(ScalarType.Float64).cpu().data<double>().ToArray();
                for (int i = 0; i < m; i++) outputs[(start + i) * k + slot] = sv[i];
            }
            progress?.Report((start + m, n));
        }
        return builder.Build(output, outputs, null, completeness: false);
    }
}

using Glassbox.Attribution.Common;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// The engine configured for gradient-rewriting methods (guided backpropagation, deconvolution): the input gradient of
/// the selected output with some layers' backward pass replaced by the composite's rule, as Captum's
/// <c>ModifiedReluGradientAttribution</c> does.
/// </summary>
internal sealed class ModifiedGradient
{
    private readonly IImageModel _model;
    private readonly BackwardPass _pass;

    public ModifiedGradient(IImageModel model, Composite composite, string method)
    {
        _model = model;
        ModelCapabilities.RequireGradients(model, method);
        _pass = composite.Build(LayerGraph.FromModel(model, method), method);
    }

    /// <summary>N×C×H×W modified gradients of the selected output (logit, or probability through the softmax) with respect to the pixels, and f(x).</summary>
    public (Tensor Gradients, Tensor Scores) Compute(Tensor pixels, long[] classes, OutputSpace output)
    {
        using var scope = torch.NewDisposeScope();
        var values = _pass.Graph.Forward(_model.Preprocess(pixels));
        var (g, s) = Compute(values, _pass.Prepare(values), classes, output);
        return (g.MoveToOuterDisposeScope(), s.MoveToOuterDisposeScope());
    }

    // The same from a trace prepared once and reused for every target slot.
    private (Tensor Gradients, Tensor Scores) Compute(Tensor[] values, PreparedSteps prepared, long[] classes, OutputSpace output)
    {
        var idx = torch.tensor(classes, device: values[0].device).unsqueeze(1);
        Tensor g;
        Tensor scores;
        var logits = values[^1];
        if (output == OutputSpace.Logits)
        {
            g = torch.zeros_like(logits).scatter_(1, idx, torch.ones_like(idx, dtype: logits.dtype));
            scores = logits.gather(1, idx).squeeze(1);
        }
        else
        {
            using var noGrad = torch.no_grad();
            var p = nn.functional.softmax(logits, 1);
            var chosen = p.gather(1, idx);
            // ∂p_c/∂z = p_c (e_c − p).
            g = chosen * (torch.zeros_like(p).scatter_(1, idx, torch.ones_like(idx, dtype: p.dtype)) - p);
            scores = chosen.squeeze(1);
        }
        g = _pass.Backward(prepared, g);
        // Through the input normalisation (affine): d/dpixels = d/dz / std.
        if (_model.Info.Std is float[] std)
            g = g / torch.tensor(std, [1, std.Length, 1, 1], device: g.device);
        return (g, scores);
    }

    /// <summary>Runs the method over inputs and targets in internal batches and builds the explanation.</summary>
    public Explanation Attribute(string method, object settings, Tensor inputs, TargetSelection targets, OutputSpace output, int batch,
        IProgress<(int Done, int Total)>? progress, CancellationToken cancel)
    {
        if (batch < 1) throw new GlassboxException($"The internal batch size must be at least 1, not {batch}.");
        InputChecks.Images(_model, inputs);
        var x = inputs.detach().to(_model.Device);
        var builder = new ExplanationBuilder(method, settings, x.shape, targets, _model.Info.Classes);
        int n = builder.N, k = builder.K;
        var outputs = new double[n * k];
        for (int start = 0; start < n; start += batch)
        {
            cancel.ThrowIfCancellationRequested();
            int m = Math.Min(batch, n - start);
            using var scope = torch.NewDisposeScope();
            var values = _pass.Graph.Forward(_model.Preprocess(x.narrow(0, start, m)));
            var prepared = _pass.Prepare(values);
            for (int slot = 0; slot < k; slot++)
            {
                var cls = Enumerable.Range(start, m).Select(i => (long)builder.Targets[i * k + slot]).ToArray();
                var (g, s) = Compute(values, prepared, cls, output);
                builder.SetSlot(slot, g, start);
                var sv = s.to_type(ScalarType.Float64).cpu().data<double>().ToArray();
                for (int i = 0; i < m; i++) outputs[(start + i) * k + slot] = sv[i];
            }
            progress?.Report((start + m, n));
        }
        return builder.Build(output, outputs, null, completeness: false);
    }
}

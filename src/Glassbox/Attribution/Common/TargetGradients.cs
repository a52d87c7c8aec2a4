using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Common;

/// <summary>
/// Gradients of one selected logit per row with respect to the input, evaluated in memory-bounded internal batches
/// (Captum's <c>internal_batch_size</c>). Only the input gradient is computed; parameters get no gradients.
/// </summary>
internal static class TargetGradients
{
    /// <summary>
    /// For M×C×H×W <paramref name="points"/> and one class per row, returns (gradient M×C×H×W, logit of that class M).
    /// <paramref name="transformOutput"/> maps logits before selection (e.g. softmax); null keeps logits.
    /// </summary>
    public static (Tensor Gradients, Tensor Scores) Compute(IImageModel model, Tensor points, long[] classes, int internalBatchSize,
        Func<Tensor, Tensor>? transformOutput = null)
    {
        ModelCapabilities.RequireGradients(model, "This method");
        if (internalBatchSize < 1) throw new GlassboxException("The internal batch size must be at least 1.");
        long m = points.shape[0];
        if (classes.Length != m) throw new ArgumentException($"{classes.Length} classes for {m} points.");
        var grads = new List<Tensor>();
        var scores = new List<Tensor>();
        for (long start = 0; start < m; start += internalBatchSize)
        {
            long len = Math.Min(internalBatchSize, m - start);
            using var scope = torch.NewDisposeScope();
            using var enable = torch.enable_grad();
            var x = points.narrow(0, start, len).detach().clone().requires_grad_(true);
            var outputs = model.Forward(x);
            if (transformOutput is not null) outputs = transformOutput(outputs);
            var idx = torch.tensor(classes.AsSpan((int)start, (int)len).ToArray(), device: outputs.device).unsqueeze(1);
            var selected = outputs.gather(1, idx).squeeze(1);
            var g = torch.autograd.grad([selected.sum()], [x])[0];
            grads.Add(g.detach().MoveToOuterDisposeScope());
            scores.Add(selected.detach().MoveToOuterDisposeScope());
        }
        var gradsAll = torch.cat(grads, 0);
        var scoresAll = torch.cat(scores, 0);
        foreach (var t in grads) t.Dispose();
        foreach (var t in scores) t.Dispose();
        return (gradsAll, scoresAll);
    }

    /// <summary>Model outputs (logits, or transformed) for many points in internal batches, without gradients: M×classes.</summary>
    public static Tensor Outputs(IImageModel model, Tensor points, int internalBatchSize, Func<Tensor, Tensor>? transformOutput = null)
    {
        if (internalBatchSize < 1) throw new GlassboxException("The internal batch size must be at least 1.");
        using var noGrad = torch.no_grad();
        var parts = new List<Tensor>();
        for (long start = 0; start < points.shape[0]; start += internalBatchSize)
        {
            using var scope = torch.NewDisposeScope();
            long len = Math.Min(internalBatchSize, points.shape[0] - start);
            var o = model.Forward(points.narrow(0, start, len));
            if (transformOutput is not null) o = transformOutput(o);
            parts.Add(o.detach().MoveToOuterDisposeScope());
        }
        var all = torch.cat(parts, 0);
        foreach (var t in parts) t.Dispose();
        return all;
    }
}

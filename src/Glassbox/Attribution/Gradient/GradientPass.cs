using Glassbox.Attribution.Common;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Gradient;

/// <summary>
/// Shared machinery of the gradient family: input checks, and batched gradients of the selected outputs at many
/// points, accumulated per input. One forward pass per chunk of points serves every target slot (one backward pass
/// per slot with the graph retained), so explaining K classes costs one forward and K backward passes per chunk.
/// </summary>
internal static class GradientPass
{
    /// <summary>Softmax for probabilities, null (identity) for logits.</summary>
    public static Func<Tensor, Tensor>? Transform(OutputSpace output)
        => output == OutputSpace.Probabilities ? t => nn.functional.softmax(t, 1) : null;

    /// <summary>Throws a <see cref="GlassboxException"/> unless the model is differentiable and the inputs are finite N×C×H×W of its size.</summary>
    public static void CheckInputs(IImageModel model, Tensor inputs, string method)
    {
        ModelCapabilities.RequireGradients(model, method);
        ModelCapabilities.CheckInput(model, inputs);
        if (inputs.shape[0] < 1) throw new GlassboxException("No images were given to explain.");
        InputChecks.Finite(inputs, "input images");
    }


    /// <summary>Throws unless <paramref name="value"/> ≥ <paramref name="min"/>.</summary>
    public static void AtLeast(string name, int value, int min)
    {
        if (value < min) throw new GlassboxException($"{name} must be at least {min}, not {value}.");
    }

    /// <summary>Throws unless <paramref name="value"/> is finite and ≥ 0.</summary>
    public static void NonNegative(string name, double value)
    {
        if (!(value >= 0) || double.IsInfinity(value)) throw new GlassboxException($"{name} must be a finite number ≥ 0, not {value}.");
    }

    /// <summary>Model outputs (after <paramref name="transform"/>) for N×C×H×W images, without gradients, in batches.</summary>
    public static Tensor Outputs(IImageModel model, Tensor images, int batch, Func<Tensor, Tensor>? transform)
        => Common.TargetGradients.Outputs(model, images, batch, transform);

    /// <summary>
    /// Σ over points p of <c>scale_p · ∇ₓ f_c(point_p)</c>, summed into the point's input, for every target slot k:
    /// returns K tensors N×C×H×W. Point p belongs to input p / <paramref name="pointsPerInput"/>; its class in slot k is
    /// <c>targets[input·K + k]</c>. <paramref name="chunk"/> builds points [start, start+len) and their scale
    /// (broadcastable to len×C×H×W, or null for 1). <paramref name="onOutputs"/> receives each chunk's outputs.
    /// </summary>
    public static Tensor[] Accumulate(IImageModel model, Tensor inputs, int pointsPerInput, int batch, int[] targets, int k,
        Func<long, long, (Tensor Points, Tensor? Scale)> chunk, Func<Tensor, Tensor>? transform,
        IProgress<(int Done, int Total)>? progress, CancellationToken cancel, Action<long, Tensor>? onOutputs = null)
    {
        int n = (int)inputs.shape[0];
        long total = (long)n * pointsPerInput;
        var acc = new Tensor[k];
        for (int s = 0; s < k; s++) acc[s] = torch.zeros_like(inputs, device: model.Device);
        for (long start = 0; start < total; start += batch)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            long len = Math.Min(batch, total - start);
            var owner = new long[len];
            for (long p = 0; p < len; p++) owner[p] = (start + p) / pointsPerInput;
            var ownerT = torch.tensor(owner, device: model.Device);
            var slotClasses = new Tensor[k];
            for (int s = 0; s < k; s++)
            {
                var cls = new long[len];
                for (long p = 0; p < len; p++) cls[p] = targets[owner[p] * k + s];
                slotClasses[s] = torch.tensor(cls, device: model.Device);
            }
            var (points, scale) = chunk(start, len);
            var (grads, outputs) = Run(model, points, slotClasses, transform);
            onOutputs?.Invoke(start, outputs);
            for (int s = 0; s < k; s++)
            {
                var g = scale is null ? grads[s] : grads[s] * scale;
                if (pointsPerInput == 1) acc[s].narrow(0, start, len).add_(g);
                else acc[s].index_add_(0, ownerT, g, 1);
            }
            progress?.Report(((int)Math.Min(int.MaxValue, start + len), (int)Math.Min(int.MaxValue, total)));
        }
        return acc;
    }

    /// <summary>One forward pass at <paramref name="points"/> and one backward pass per slot: (gradients per slot, outputs).</summary>
    public static (Tensor[] Gradients, Tensor Outputs) Run(IImageModel model, Tensor points, Tensor[] slotClasses, Func<Tensor, Tensor>? transform)
    {
        using var enable = torch.enable_grad();
        var x = points.detach().requires_grad_(true);
        var outputs = model.Forward(x);
        if (transform is not null) outputs = transform(outputs);
        var grads = new Tensor[slotClasses.Length];
        for (int s = 0; s < slotClasses.Length; s++)
        {
            var selected = outputs.gather(1, slotClasses[s].unsqueeze(1)).sum();
            grads[s] = torch.autograd.grad([selected], [x], retain_graph: s < slotClasses.Length - 1)[0].detach();
        }
        return (grads, outputs.detach());
    }

    /// <summary>For points [start, start+len) with <paramref name="perInput"/> points per input: the input of each point and its index within that input.</summary>
    public static (Tensor Owner, Tensor Index) OwnerAndIndex(long start, long len, int perInput, Device device)
    {
        var owner = new long[len];
        var index = new long[len];
        for (long p = 0; p < len; p++)
        {
            owner[p] = (start + p) / perInput;
            index[p] = (start + p) % perInput;
        }
        return (torch.tensor(owner, device: device), torch.tensor(index, device: device));
    }

    /// <summary>Stores the per-slot maps in a builder.</summary>
    public static void Store(Common.ExplanationBuilder builder, Tensor[] maps)
    {
        for (int s = 0; s < maps.Length; s++) builder.SetSlot(s, maps[s]);
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// A concatenation (ONNX <c>Concat</c>, e.g. a DenseNet block): the signal is split back along the concatenation
/// axis, each input getting its own slice. Gradient, DeepLIFT multipliers and LRP relevance alike, so it conserves.
/// </summary>
public sealed class ConcatRule : IBackwardRule
{
    /// <inheritdoc />
    public string Name => "split";

    /// <inheritdoc />
    public Tensor[] Backward(LayerStep step, Tensor signal, object? state)
    {
        var g = PropagationMath.Expand(signal, step.Pairs, step.Output.shape);
        var node = ((GraphOp)step.Module).Node;
        long axis = (long)node.Attributes["axis"];
        if (axis < 0) axis += g.dim();
        if (axis == 0) throw new GlassboxException($"{((GraphOp)step.Module).Describe()} concatenates along the batch axis; no propagation rule splits images.");
        long offset = 0;
        var parts = new Tensor[step.Inputs.Count];
        for (int k = 0; k < parts.Length; k++)
        {
            long size = step.Inputs[k].shape[axis];
            parts[k] = g.narrow(axis, offset, size);
            offset += size;
        }
        return parts;
    }
}

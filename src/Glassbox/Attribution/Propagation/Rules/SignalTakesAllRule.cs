using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// LRP at a product of two activations, as for multiplicative gates in LSTMs (Arras et al. 2017, "Explaining
/// Recurrent Neural Network Predictions in Sentiment Analysis"): the gate only scales the signal, so all relevance
/// goes to the signal and none to the gate. The signal is the factor with more elements (the feature map of a
/// squeeze-and-excitation block; its gate is broadcast over h×w), the first factor when both are the same size.
/// </summary>
public sealed class SignalTakesAllRule : IBackwardRule
{
    /// <inheritdoc />
    public string Name => "signal-takes-all";

    /// <inheritdoc />
    public Tensor[] Backward(LayerStep step, Tensor signal, object? state)
    {
        var r = PropagationMath.Expand(signal, step.Pairs, step.Output.shape);
        int gate = step.Inputs[1].numel() < step.Inputs[0].numel() ? 1 : step.Inputs[0].numel() < step.Inputs[1].numel() ? 0 : 1;
        return step.Inputs.Select((input, k) => k == gate
            ? torch.zeros(PropagationMath.WithRows(r.shape[0], input.shape), dtype: r.dtype, device: r.device)
            : PropagationMath.SumTo(r, PropagationMath.WithRows(r.shape[0], input.shape))).ToArray();
    }
}

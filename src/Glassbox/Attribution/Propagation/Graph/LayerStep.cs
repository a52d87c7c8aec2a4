using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// What a backward rule sees of one layer: its module, the activations entering and leaving it, and for rules on
/// (input, reference) pairs such as DeepLIFT the reference's activations too.
/// </summary>
public sealed class LayerStep
{
    /// <summary>A step for <paramref name="module"/> with its inputs and output (and, for pair rules, the reference's).</summary>
    /// <param name="module">The layer.</param>
    /// <param name="inputs">Activations entering the layer, one per input (N rows).</param>
    /// <param name="output">Activation leaving the layer.</param>
    /// <param name="referenceInputs">The reference's activations entering the layer (N rows when aligned, else B), or null.</param>
    /// <param name="referenceOutput">The reference's activation leaving the layer, or null.</param>
    /// <param name="aligned">Input i pairs with reference i (P = N); otherwise every input with every reference (pair i·B + b).</param>
    public LayerStep(nn.Module<Tensor, Tensor> module, IReadOnlyList<Tensor> inputs, Tensor output,
        IReadOnlyList<Tensor>? referenceInputs = null, Tensor? referenceOutput = null, bool aligned = true)
    {
        if ((referenceInputs is null) != (referenceOutput is null))
            throw new GlassboxException("A layer step needs both the reference's inputs and its output, or neither.");
        Module = module;
        Inputs = inputs;
        Output = output;
        ReferenceInputs = referenceInputs;
        ReferenceOutput = referenceOutput;
        Aligned = aligned;
    }

    /// <summary>The layer.</summary>
    public nn.Module<Tensor, Tensor> Module { get; }
    /// <summary>Activations entering the layer.</summary>
    public IReadOnlyList<Tensor> Inputs { get; }
    /// <summary>The first (for most layers the only) input.</summary>
    public Tensor Input => Inputs[0];
    /// <summary>Activation leaving the layer.</summary>
    public Tensor Output { get; }
    /// <summary>The reference's activations entering the layer, or null.</summary>
    public IReadOnlyList<Tensor>? ReferenceInputs { get; }
    /// <summary>The reference's activation leaving the layer, or null.</summary>
    public Tensor? ReferenceOutput { get; }
    /// <summary>Whether input i pairs only with reference i.</summary>
    public bool Aligned { get; }

    /// <summary>Number of (input, reference) pairs, or of inputs without a reference.</summary>
    public long Pairs => ReferenceInputs is null || Aligned ? Input.shape[0] : Input.shape[0] * ReferenceInputs[0].shape[0];

    /// <summary>The reference's first input; throws when the step has no reference (a pair rule on a single input).</summary>
    public Tensor ReferenceInput => ReferenceInputs?[0]
        ?? throw new GlassboxException($"The rule for {Module.GetType().Name} compares an input with a reference, but none was given.");
}

using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Propagation;

/// <summary>
/// The engine shared by DeepLIFT, DeepSHAP, LRP, guided backpropagation and deconvolution (as Zennit composes
/// rules): a traced graph and one <see cref="IBackwardRule"/> per node. <see cref="Prepare"/> builds the steps of a
/// forward trace once; <see cref="Backward"/> walks the nodes in reverse topological order, summing what arrives at
/// each value from every node that reads it.
/// </summary>
public sealed class BackwardPass
{
    /// <summary>The engine for <paramref name="graph"/> with <paramref name="rules"/>[i] at node i.</summary>
    public BackwardPass(LayerGraph graph, IReadOnlyList<IBackwardRule> rules)
    {
        if (rules.Count != graph.Nodes.Count)
            throw new GlassboxException($"The graph has {graph.Nodes.Count} nodes but {rules.Count} rules were given; give one rule per node.");
        Graph = graph;
        Rules = rules;
    }

    /// <summary>The traced model.</summary>
    public LayerGraph Graph { get; }

    /// <summary>The rule of every node.</summary>
    public IReadOnlyList<IBackwardRule> Rules { get; }

    /// <summary>
    /// The steps of one forward trace (<see cref="LayerGraph.Forward"/>), optionally with a reference trace, with each
    /// rule's per-batch state (e.g. DeepLIFT multipliers), reused for every output class.
    /// </summary>
    public PreparedSteps Prepare(Tensor[] values, Tensor[]? referenceValues = null, bool aligned = true)
    {
        var steps = new LayerStep[Graph.Nodes.Count];
        var state = new object?[Graph.Nodes.Count];
        for (int i = 0; i < steps.Length; i++)
        {
            var node = Graph.Nodes[i];
            steps[i] = new LayerStep(node.Module, node.Inputs.Select(j => values[j]).ToArray(), values[i + 1],
                referenceValues is null ? null : node.Inputs.Select(j => referenceValues[j]).ToArray(), referenceValues?[i + 1], aligned);
            state[i] = Rules[i].Prepare(steps[i]);
        }
        return new PreparedSteps(steps, state);
    }

    /// <summary>Maps <paramref name="signal"/> at the graph's output (gradient or relevance) to the graph's input.</summary>
    public Tensor Backward(PreparedSteps prepared, Tensor signal)
    {
        using var noGrad = torch.no_grad();
        var nodes = Graph.Nodes;
        var arriving = new Tensor?[nodes.Count + 1];
        arriving[^1] = signal;
        for (int i = nodes.Count - 1; i >= 0; i--)
        {
            var upstream = arriving[i + 1];
            if (upstream is null) continue;
            var toInputs = Rules[i].Backward(prepared.Steps[i], upstream, prepared.State[i]);
            for (int k = 0; k < nodes[i].Inputs.Count; k++)
            {
                int j = nodes[i].Inputs[k];
                arriving[j] = arriving[j] is null ? toInputs[k] : arriving[j]! + toInputs[k];
            }
        }
        return arriving[0] ?? torch.zeros_like(prepared.Steps.Count > 0 ? prepared.Steps[0].Input : signal);
    }
}

/// <summary>The steps of one traced batch and each rule's state for them.</summary>
/// <param name="Steps">One step per node.</param>
/// <param name="State">What each rule's <see cref="IBackwardRule.Prepare"/> returned.</param>
public sealed record PreparedSteps(IReadOnlyList<LayerStep> Steps, IReadOnlyList<object?> State);

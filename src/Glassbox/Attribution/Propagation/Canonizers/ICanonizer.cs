namespace Glassbox.Attribution.Propagation;

/// <summary>
/// Rewrites a traced model into an equivalent canonical form before rules are assigned (Zennit's canonizers), e.g.
/// merging batch norm into the preceding layer. The model's own modules are never changed.
/// </summary>
public interface ICanonizer
{
    /// <summary>A graph with the same forward output as <paramref name="graph"/>.</summary>
    LayerGraph Apply(LayerGraph graph);
}

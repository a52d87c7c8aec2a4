namespace Glassbox.App.Generation.Explain;

/// <summary>Every <c>--what</c> of <c>glassbox explain-generator</c>, in the order the report shows them.</summary>
public static class GeneratorExplanations
{
    /// <summary>The kinds (one instance each; kinds hold no state).</summary>
    public static IReadOnlyList<IGeneratorExplanation> All { get; } =
    [
        new TraversalsExplanation(),
        new JacobianExplanation(),
        new LatentAttributionExplanation(),
        new DirectionsExplanation(),
        new CounterfactualExplanation(),
        new DisentanglementExplanation(),
    ];

    /// <summary>The <c>--what</c> names.</summary>
    public static IReadOnlyList<string> Names => All.Select(k => k.What).ToList();

    /// <summary>The kind named <paramref name="what"/>; a clear error lists the names otherwise.</summary>
    public static IGeneratorExplanation Find(string what) =>
        All.FirstOrDefault(k => string.Equals(k.What, what, StringComparison.Ordinal))
        ?? throw new GlassboxException($"--what '{what}' is not a generator explanation; use one of: {string.Join(", ", Names)}.");
}

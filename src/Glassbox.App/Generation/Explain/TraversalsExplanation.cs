using Glassbox.Generation.Explain.Traversals;
using Glassbox.IO;

namespace Glassbox.App.Generation.Explain;

/// <summary>
/// <c>--what traversals</c>: per latent dimension a row of images from −3σ to +3σ around a base code (Higgins et al.
/// 2017), rows ordered by KL (VAE) or output variance (GAN), the top-k shown.
/// </summary>
public sealed class TraversalsExplanation : IGeneratorExplanation
{
    /// <inheritdoc/>
    public string What => "traversals";

    /// <inheritdoc/>
    public string Description => "Latent traversals: one row per dimension, −3σ…+3σ around a base code, ordered by KL (VAE) or output variance (GAN)";

    /// <inheritdoc/>
    public bool NeedsClassifier => false;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, string> Options => TraversalRows.Options;

    /// <inheritdoc/>
    public GeneratorExplanationResult Run(GeneratorExplanationContext ctx)
    {
        var gen = ctx.Generator;
        using var rows = TraversalRows.Create(ctx);
        float[] images = rows.DecodeAll(ctx, "traversals");
        int n = rows.Codes.Count, r = rows.Dims.Length, t = rows.Offsets.Length;
        var files = new List<string> { rows.WriteCodes(ctx), "traversals.npy" };
        NpyFile.Write(ctx.PathOf("traversals.npy"), images, [n, r, t, gen.Channels, gen.Height, gen.Width]);
        var figures = new List<GeneratorFigure>();
        int per = r * t * gen.Channels * gen.Height * gen.Width;
        string[] rowLabels = rows.RowLabels(), columnLabels = rows.ColumnLabels();
        for (int i = 0; i < Math.Min(n, TraversalRows.MaxFigures); i++)
        {
            string file = $"traversals-{i:000}.png";
            var data = new TraversalFigureData(images.AsSpan(i * per, per).ToArray(), r, t, gen.Channels, gen.Height, gen.Width, rowLabels, columnLabels,
                Title: $"{gen.Kind} code {i}: top {r} of {gen.LatentSize} dimensions by {rows.Order}");
            AtomicFile.WriteAllBytes(ctx.PathOf(file), TraversalFigure.Render(data));
            figures.Add(new GeneratorFigure(file,
                $"Traversals of code {i} ({rows.Codes.Source}): row z_j sets dimension j to c_j + tσ_j for t from {columnLabels[0]} to {columnLabels[^1]} " +
                $"({(rows.Codes.Sigma == "posterior" ? "posterior mean and σ of q(z|x)" : "prior: c = 0, σ = 1")}), all other dimensions fixed; " +
                $"rows ordered by {rows.OrderSource}. A row that does not change is a dimension the generator ignores at this code."));
        }
        return new GeneratorExplanationResult(figures, files, rows.Summary());
    }
}

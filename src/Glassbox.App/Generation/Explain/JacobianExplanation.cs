using Glassbox.Generation.Explain.Traversals;
using Glassbox.IO;
using TorchSharp;

namespace Glassbox.App.Generation.Explain;

/// <summary>
/// <c>--what jacobian</c>: the decoder Jacobian maps ‖∂G(z)/∂z_j‖ per pixel for every dimension j at each base code
/// (exact, by autograd: <see cref="DecoderJacobian"/>), drawn beside that dimension's traversal row.
/// </summary>
public sealed class JacobianExplanation : IGeneratorExplanation
{
    /// <inheritdoc/>
    public string What => "jacobian";

    /// <inheritdoc/>
    public string Description => "Decoder Jacobian maps ‖∂G(z)/∂z_j‖ per pixel (exact, autograd) beside each dimension's traversal row";

    /// <inheritdoc/>
    public bool NeedsClassifier => false;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, string> Options => TraversalRows.Options;

    /// <inheritdoc/>
    public GeneratorExplanationResult Run(GeneratorExplanationContext ctx)
    {
        var gen = ctx.Generator;
        using var rows = TraversalRows.Create(ctx);
        int n = rows.Codes.Count, l = gen.LatentSize, hw = gen.Height * gen.Width;
        ctx.Observer.StageStarted("jacobian", n);
        float[] maps;
        double[] meanNorm = new double[l];
        using (var columns = DecoderJacobian.Columns(gen, rows.Codes.Codes, rows.Label, ctx.Cancellation))
        using (var norms = DecoderJacobian.PixelNorms(columns))
        using (var frob = columns.flatten(2).square().sum(2).sqrt().to_type(torch.ScalarType.Float64).mean([0]))
        {
            maps = norms.contiguous().data<float>().ToArray();
            meanNorm = frob.data<double>().ToArray();
        }
        ctx.Observer.StageFinished("jacobian", $"{n} codes × {l} columns");
        float[] images = rows.DecodeAll(ctx, "traversals");
        int r = rows.Dims.Length, t = rows.Offsets.Length;
        var files = new List<string> { rows.WriteCodes(ctx), "jacobian.npy", "traversals.npy" };
        NpyFile.Write(ctx.PathOf("jacobian.npy"), maps, [n, l, gen.Height, gen.Width]);
        NpyFile.Write(ctx.PathOf("traversals.npy"), images, [n, r, t, gen.Channels, gen.Height, gen.Width]);
        var figures = new List<GeneratorFigure>();
        int per = r * t * gen.Channels * hw;
        string[] rowLabels = rows.RowLabels(), columnLabels = rows.ColumnLabels();
        for (int i = 0; i < Math.Min(n, TraversalRows.MaxFigures); i++)
        {
            var shown = new float[r * hw];
            for (int k = 0; k < r; k++) Array.Copy(maps, (i * l + rows.Dims[k]) * hw, shown, k * hw, hw);
            string file = $"jacobian-{i:000}.png";
            var data = new TraversalFigureData(images.AsSpan(i * per, per).ToArray(), r, t, gen.Channels, gen.Height, gen.Width, rowLabels, columnLabels, shown,
                $"{gen.Kind} code {i}: traversals and |dG/dz_j| at the code");
            AtomicFile.WriteAllBytes(ctx.PathOf(file), TraversalFigure.Render(data));
            figures.Add(new GeneratorFigure(file,
                $"Code {i}: each dimension's traversal row and, at the right, ‖∂G(z)/∂z_j‖ per pixel at the base code (norm over channels; exact Jacobian " +
                "by autograd; one scale for all rows, full red at the 99.5th percentile of the maps, printed above). Red marks the pixels dimension j moves; the map is local: " +
                "it holds at the base code, not along the whole row."));
        }
        var summary = rows.Summary();
        summary["jacobianFrobeniusMean"] = meanNorm;
        summary["jacobianMethod"] = "exact: columns J·e_j by two reverse passes (double-vjp) over the code repeated L times";
        return new GeneratorExplanationResult(figures, files, summary);
    }
}

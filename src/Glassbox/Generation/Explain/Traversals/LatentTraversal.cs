using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Generation.Explain.Traversals;

/// <summary>
/// Latent traversals (Higgins et al. 2017, "β-VAE: Learning Basic Visual Concepts with a Constrained Variational
/// Framework"): for a base code z and a dimension j, the images G(z with z_j = c_j + t·s_j) for t from −3 to +3, all other
/// dimensions held at the base code. The centre c and scale s are per code and dimension: the prior's (0, 1) for codes
/// drawn from N(0, I), or the posterior's (μ, σ) for codes encoded by a VAE.
/// </summary>
public static class LatentTraversal
{
    /// <summary>Codes decoded per forward pass.</summary>
    private const int Batch = 256;

    /// <summary>
    /// The traversal codes of one base code: |dims|·T rows, row r·T + s = <paramref name="baseCode"/> with dimension
    /// dims[r] set to center[dims[r]] + offsets[s]·scale[dims[r]].
    /// </summary>
    public static Tensor Codes(Tensor baseCode, Tensor center, Tensor scale, IReadOnlyList<int> dims, double[] offsets)
    {
        Check(baseCode, center, scale, dims);
        long l = baseCode.shape[0];
        int t = offsets.Length;
        using var scope = torch.NewDisposeScope();
        var codes = baseCode.detach().reshape(1, l).repeat(dims.Count * t, 1).contiguous();
        var off = torch.tensor(offsets, dtype: baseCode.dtype, device: baseCode.device);
        for (int r = 0; r < dims.Count; r++)
        {
            int j = dims[r];
            var values = center[j] + off * scale[j];
            codes.narrow(0, (long)r * t, t).select(1, j).copy_(values);
        }
        return codes.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Decodes the traversal of one base code: |dims|×T×C×H×W images in [0, 1] (no gradients);
    /// <paramref name="label"/> is the class of a conditional generator.
    /// </summary>
    public static Tensor Decode(IGenerativeModel generator, Tensor baseCode, Tensor center, Tensor scale, IReadOnlyList<int> dims,
        double[] offsets, int? label = null)
    {
        using var scope = torch.NewDisposeScope();
        var codes = Codes(baseCode, center, scale, dims, offsets);
        var images = DecodeBatched(generator, codes, label);
        return images.view(dims.Count, offsets.Length, generator.Channels, generator.Height, generator.Width).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Output variance along each dimension's traversal, the GAN ordering (no KL exists for a GAN): for every
    /// dimension j, Σ_pixels Var_t G(z with z_j = c_j + t·s_j), the variance over the T steps, averaged over the base
    /// codes (rows of <paramref name="baseCodes"/>, N×L).
    /// </summary>
    public static double[] OutputVariance(IGenerativeModel generator, Tensor baseCodes, Tensor centers, Tensor scales, double[] offsets,
        int? label = null, CancellationToken cancel = default)
    {
        int l = generator.LatentSize;
        long n = baseCodes.shape[0];
        var sums = new double[l];
        var all = Enumerable.Range(0, l).ToArray();
        for (long i = 0; i < n; i++)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            var images = Decode(generator, baseCodes[i], centers[i], scales[i], all, offsets, label);
            var v = images.flatten(2).to_type(ScalarType.Float64).var(1, unbiased: false).sum(1);
            var values = v.cpu().data<double>().ToArray();
            for (int j = 0; j < l; j++) sums[j] += values[j];
        }
        return sums.Select(s => s / n).ToArray();
    }

    /// <summary>Dimensions sorted by <paramref name="score"/>, largest first (ties by index); the first <paramref name="top"/>.</summary>
    public static int[] Order(IReadOnlyList<double> score, int top)
    {
        if (top < 1) throw new GlassboxException($"Show at least one traversal row, not {top}.");
        return Enumerable.Range(0, score.Count).OrderByDescending(j => score[j]).ThenBy(j => j).Take(top).ToArray();
    }

    /// <summary>Decodes N×L codes in batches without gradients, in evaluation mode.</summary>
    internal static Tensor DecodeBatched(IGenerativeModel generator, Tensor codes, int? label)
    {
        using var noGrad = torch.no_grad();
        var parts = new List<Tensor>();
        for (long start = 0; start < codes.shape[0]; start += Batch)
        {
            long len = Math.Min(Batch, codes.shape[0] - start);
            using var labels = Labels(generator, len, label, codes.device);
            parts.Add(generator.Decode(codes.narrow(0, start, len), labels));
        }
        var all = torch.cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return all;
    }

    /// <summary>The label tensor of a conditional generator (null when unconditional), checked.</summary>
    internal static Tensor? Labels(IGenerativeModel generator, long n, int? label, Device device)
    {
        if (generator.Classes == 0)
        {
            if (label is not null) throw new GlassboxException($"This {generator.Kind} is unconditional; it takes no class label.");
            return null;
        }
        if (label is not int c) throw new GlassboxException($"This {generator.Kind} is conditional: give the class to generate (0–{generator.Classes - 1}).");
        if (c < 0 || c >= generator.Classes) throw new GlassboxException($"Class {c} is out of range: the {generator.Kind} generates classes 0–{generator.Classes - 1}.");
        return torch.full([n], (long)c, dtype: ScalarType.Int64, device: device);
    }

    private static void Check(Tensor baseCode, Tensor center, Tensor scale, IReadOnlyList<int> dims)
    {
        if (baseCode.dim() != 1 || center.dim() != 1 || scale.dim() != 1 || center.shape[0] != baseCode.shape[0] || scale.shape[0] != baseCode.shape[0])
            throw new GlassboxException($"A traversal needs a base code, centre and scale of one length L; got shapes [{string.Join(", ", baseCode.shape)}], [{string.Join(", ", center.shape)}], [{string.Join(", ", scale.shape)}].");
        if (dims.Count == 0) throw new GlassboxException("Traverse at least one latent dimension.");
        foreach (int j in dims)
            if (j < 0 || j >= baseCode.shape[0]) throw new GlassboxException($"Latent dimension {j} does not exist: the code has {baseCode.shape[0]} dimensions.");
    }
}

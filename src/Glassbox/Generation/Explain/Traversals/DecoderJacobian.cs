using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Generation.Explain.Traversals;

/// <summary>
/// The decoder's Jacobian ∂G(z)/∂z, exactly, by autograd, and its per-pixel maps ‖∂G(z)/∂z_j‖ (where in the image
/// dimension j acts; cf. the Jacobian analyses of Ramesh et al. 2018, "A Spectral Regularizer for Unsupervised
/// Disentanglement", and Wang &amp; Ponce 2021, "The Geometry of Deep Generative Image Models").
/// <para>
/// A column J e_j is a Jacobian-vector product; TorchSharp has no forward mode, so each column comes from two reverse
/// passes (the "double-vjp" trick): with a dummy cotangent u, g(u) = Jᵀu is linear in u, so ∂⟨g(u), e_j⟩/∂u = J e_j.
/// Every code is repeated L times and the L columns are obtained from one forward pass, one backward pass with the
/// graph kept, and one backward pass of that backward over batches of about 256 rows (codes × L) — three passes in all instead of one backward
/// per output pixel (C·H·W of them). Exact to float rounding; no finite differences.
/// </para>
/// </summary>
public static class DecoderJacobian
{
    /// <summary>Rows (codes × L) differentiated in one batch: bounds the memory of the double-backward graph.</summary>
    private const int RowsPerBatch = 256;

    /// <summary>
    /// The Jacobian columns ∂G(z_n)/∂z_j for N×L codes: N×L×C×H×W, entry [n, j] = J(z_n) e_j;
    /// <paramref name="label"/> is the class of a conditional generator.
    /// </summary>
    public static Tensor Columns(IGenerativeModel generator, Tensor codes, int? label = null, CancellationToken cancel = default)
    {
        if (codes.dim() != 2 || codes.shape[1] != generator.LatentSize)
            throw new GlassboxException($"Codes of shape [{string.Join(", ", codes.shape)}] do not fit the {generator.Kind}: it expects N×{generator.LatentSize}.");
        int l = generator.LatentSize;
        long n = codes.shape[0];
        var parts = new List<Tensor>();
        int codesPerBatch = Math.Max(1, RowsPerBatch / l);
        for (long start = 0; start < n; start += codesPerBatch)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            using var enable = torch.enable_grad();
            long len = Math.Min(codesPerBatch, n - start);
            var z = codes.narrow(0, start, len).detach().repeat_interleave(l, 0).contiguous().requires_grad_(true);
            var labels = LatentTraversal.Labels(generator, len * l, label, codes.device);
            var y = generator.Decode(z, labels);
            var u = torch.zeros_like(y).requires_grad_(true);
            var jtu = torch.autograd.grad([y], [z], [u], create_graph: true)[0];
            var e = torch.eye(l, dtype: z.dtype, device: z.device).repeat(len, 1);
            var columns = torch.autograd.grad([jtu], [u], [e])[0];
            parts.Add(columns.detach().view(len, l, generator.Channels, generator.Height, generator.Width).MoveToOuterDisposeScope());
        }
        var all = torch.cat(parts, 0);
        foreach (var p in parts) p.Dispose();
        return all;
    }

    /// <summary>‖∂G(z)/∂z_j‖ per pixel: the Euclidean norm over channels of each column, N×L×H×W from N×L×C×H×W.</summary>
    public static Tensor PixelNorms(Tensor columns)
    {
        if (columns.dim() != 5) throw new GlassboxException($"Jacobian columns are N×L×C×H×W, not shape [{string.Join(", ", columns.shape)}].");
        return columns.square().sum(2).sqrt();
    }

    /// <summary>‖∂G(z)/∂z_j‖ per pixel for N×L codes: N×L×H×W.</summary>
    public static Tensor Maps(IGenerativeModel generator, Tensor codes, int? label = null, CancellationToken cancel = default)
    {
        using var columns = Columns(generator, codes, label, cancel);
        return PixelNorms(columns);
    }
}

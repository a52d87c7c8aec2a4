using Glassbox.Data;
using Glassbox.IO;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Generation.Explain.Traversals;

/// <summary>
/// The codes a generator explanation starts from, with the centre c and scale s of each dimension's traversal
/// (z_j = c_j + t·s_j): codes drawn from the prior N(0, I) (c = 0, s = 1); codes given in an N×L .npy (c = 0, s = 1);
/// or images encoded by a VAE (the posterior mean μ, with c = μ and s = the posterior σ, or c = 0 and s = 1 when the
/// prior's σ is asked for). Dispose to free the tensors.
/// </summary>
/// <param name="Codes">N×L codes.</param>
/// <param name="Centers">N×L traversal centres.</param>
/// <param name="Scales">N×L traversal scales (σ).</param>
/// <param name="Source">Where the codes came from, in words.</param>
/// <param name="Sigma">"prior" or "posterior": the σ a traversal step is measured in.</param>
public sealed record BaseCodes(Tensor Codes, Tensor Centers, Tensor Scales, string Source, string Sigma) : IDisposable
{
    /// <summary>Number of codes.</summary>
    public int Count => (int)Codes.shape[0];

    /// <summary>
    /// <paramref name="count"/> codes drawn from N(0, I) with a generator seeded by <paramref name="seed"/> — the same
    /// codes <see cref="IGenerativeModel.Generate"/> decodes for that seed.
    /// </summary>
    public static BaseCodes FromPrior(IGenerativeModel generator, int count, int seed)
    {
        if (count < 1) throw new GlassboxException($"Draw at least one code, not {count}.");
        using var g = new torch.Generator((ulong)(uint)seed);
        var z = torch.randn([count, generator.LatentSize], generator: g);
        return new BaseCodes(z, torch.zeros_like(z), torch.ones_like(z), $"{count} codes drawn from N(0, I) with seed {seed}", "prior");
    }

    /// <summary>
    /// Codes read from <paramref name="path"/>: an N×L .npy is taken as codes; images (.npy N×C×H×W or N×H×W, PNG, or a
    /// folder) are encoded by a VAE (a GAN has no encoder). At most <paramref name="count"/> rows are used.
    /// <paramref name="posterior"/> chooses the posterior σ (true) or the prior's (false) as the traversal unit of encoded images.
    /// </summary>
    public static BaseCodes FromFile(IGenerativeModel generator, string path, int count, bool posterior = true, int? label = null)
    {
        if (count < 1) throw new GlassboxException($"Use at least one code, not {count}.");
        int l = generator.LatentSize;
        if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase) && File.Exists(path))
        {
            int[] shape;
            using (var reader = NpyReader.Open(path)) shape = reader.Shape.ToArray();
            if (shape.Length == 2)
            {
                float[] data = NpyFile.ReadFloat32(path, out _);
                if (shape[1] != l)
                    throw new GlassboxException($"'{path}' holds {shape[0]}×{shape[1]} codes but the {generator.Kind}'s latent has {l} dimensions; pass an N×{l} .npy (or images to encode).");
                if (shape[0] < 1) throw new GlassboxException($"'{path}' holds no codes.");
                int bad = Array.FindIndex(data, v => !float.IsFinite(v));
                if (bad >= 0) throw new GlassboxException($"'{path}' holds a NaN or infinite value (code {bad / l}, dimension {bad % l}); give finite codes.");
                int n = Math.Min(count, shape[0]);
                var z = torch.tensor(data.AsSpan(0, n * l).ToArray(), [n, l]);
                return new BaseCodes(z, torch.zeros_like(z), torch.ones_like(z), $"{n} codes read from {Path.GetFileName(path)}", "prior");
            }
        }
        if (generator is not Vae vae)
            throw new GlassboxException($"A {generator.Kind} has no encoder, so it cannot start from images: give --input as an N×{l} .npy of codes, or leave it out to draw codes from the prior.");
        var info = new ModelInfo(vae.Kind, vae.Channels, vae.Height, vae.Width, ["0", "1"]);
        var (pixels, total, _) = InputImages.Load(path, info);
        int m = Math.Min(count, total);
        using var images = torch.tensor(pixels.AsSpan(0, m * vae.Channels * vae.Height * vae.Width).ToArray(), [m, vae.Channels, vae.Height, vae.Width]);
        using var labels = LatentTraversal.Labels(vae, m, label, CPU);
        var (mu, sigma) = KlPerDimension.Posterior(vae, images, labels);
        string source = $"{m} images of {Path.GetFileName(path)} encoded by the VAE (posterior mean)";
        if (posterior) return new BaseCodes(mu, mu.clone(), sigma, source, "posterior");
        sigma.Dispose();
        return new BaseCodes(mu, torch.zeros_like(mu), torch.ones_like(mu), source, "prior");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Codes.Dispose();
        Centers.Dispose();
        Scales.Dispose();
    }
}

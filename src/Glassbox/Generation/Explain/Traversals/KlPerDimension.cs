using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Generation.Explain.Traversals;

/// <summary>
/// KL(q(z_j | x) ‖ N(0, 1)) per latent dimension j, the VAE's ordering of its dimensions (Higgins et al. 2017; Burgess
/// et al. 2018, "Understanding disentangling in β-VAE"): a dimension with KL near 0 nats carries no information about
/// the image (its posterior equals the prior), so its traversal changes nothing.
/// </summary>
public static class KlPerDimension
{
    /// <summary>Images encoded per pass.</summary>
    private const int Batch = 256;

    /// <summary>
    /// The mean over <paramref name="images"/> (N×C×H×W in [0, 1]) of ½(μ_j² + σ_j² − 1 − log σ_j²), the encoder's
    /// posterior measured on data; <paramref name="labels"/> are required by a conditional VAE.
    /// </summary>
    public static double[] Measure(Vae vae, Tensor images, Tensor? labels = null)
    {
        long n = images.shape[0];
        if (n < 1) throw new GlassboxException("Measure the KL on at least one image.");
        var sums = new double[vae.LatentSize];
        using var noGrad = torch.no_grad();
        for (long start = 0; start < n; start += Batch)
        {
            using var scope = torch.NewDisposeScope();
            long len = Math.Min(Batch, n - start);
            var (mu, logVar) = vae.Encode(images.narrow(0, start, len), labels?.narrow(0, start, len));
            var kl = (0.5 * (mu.square() + logVar.exp() - 1 - logVar)).to_type(ScalarType.Float64).sum([0]).cpu().data<double>().ToArray();
            for (int j = 0; j < sums.Length; j++) sums[j] += kl[j];
        }
        return sums.Select(s => s / n).ToArray();
    }

    /// <summary>The last training epoch's KL per dimension recorded in a VAE checkpoint, or null when none was recorded.</summary>
    public static double[]? FromHistory(GeneratorCheckpointMetadata metadata)
        => metadata.Training?.Epochs.LastOrDefault(e => e.KlPerDimension is not null)?.KlPerDimension;

    /// <summary>Posterior mean μ and standard deviation σ = exp(½ log σ²) of <paramref name="images"/> (N×L each).</summary>
    public static (Tensor Mu, Tensor Sigma) Posterior(Vae vae, Tensor images, Tensor? labels = null)
    {
        using var noGrad = torch.no_grad();
        var mus = new List<Tensor>();
        var sigmas = new List<Tensor>();
        for (long start = 0; start < images.shape[0]; start += Batch)
        {
            long len = Math.Min(Batch, images.shape[0] - start);
            var (mu, logVar) = vae.Encode(images.narrow(0, start, len), labels?.narrow(0, start, len));
            mus.Add(mu);
            using (logVar) sigmas.Add(torch.exp(0.5 * logVar));
        }
        var m = torch.cat(mus, 0);
        var s = torch.cat(sigmas, 0);
        foreach (var t in mus.Concat(sigmas)) t.Dispose();
        return (m, s);
    }
}

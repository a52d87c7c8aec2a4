using Glassbox.Data;
using Glassbox.Training;
using TorchSharp;

namespace Glassbox.Generation.Explain.Disentanglement;

/// <summary>The representation disentanglement_lib scores for a VAE: the posterior means μ(x) of its encoder.</summary>
public static class PosteriorMeans
{
    /// <summary>μ of every image of <paramref name="data"/> as an N×L row-major array, in evaluation mode without gradients.</summary>
    public static double[] Encode(Vae vae, ImageDataset data, int batchSize = 256, CancellationToken cancel = default)
    {
        if (vae.Classes > 0)
            throw new GlassboxException("Disentanglement scores an unconditional VAE's code; this VAE is conditioned on classes (cvae). Train a vae or beta-vae.");
        GenerationChecks.CheckData(vae, data);
        using var noGrad = torch.no_grad();
        var result = new double[(long)data.Count * vae.LatentSize];
        for (int start = 0; start < data.Count; start += batchSize)
        {
            cancel.ThrowIfCancellationRequested();
            using var scope = torch.NewDisposeScope();
            int n = Math.Min(batchSize, data.Count - start);
            var x = Trainer.ToTensor(data, torch.CPU, start, n);
            var (mu, _) = vae.Encode(x);
            var values = mu.to_type(torch.ScalarType.Float64).contiguous().data<double>().ToArray();
            Array.Copy(values, 0, result, (long)start * vae.LatentSize, values.Length);
        }
        return result;
    }
}

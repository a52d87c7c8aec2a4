using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Glassbox.Generation;

/// <summary>
/// Convolutional variational autoencoder (Kingma &amp; Welling 2014): encoder Conv 32 s2 → Conv 64 s2 → Linear to μ
/// and log σ²; reparameterised Gaussian latent; decoder Linear → ConvT 32 s2 → ConvT C s2 → sigmoid. Loss (negative
/// ELBO per image) = reconstruction + β·KL. Optionally conditional (one-hot class concatenated to the encoder features
/// and to the latent, Sohn et al. 2015). State-dict keys: <c>encoder.0.weight</c>, <c>fc_mu.weight</c>,
/// <c>fc_logvar.weight</c>, <c>decoder_input.weight</c>, <c>decoder.0.weight</c>, …
/// </summary>
public sealed class Vae : nn.Module, IGenerativeModel
{
    private readonly Sequential encoder;
    private readonly Linear fc_mu;
    private readonly Linear fc_logvar;
    private readonly Linear decoder_input;
    private readonly Sequential decoder;
    private readonly long[] hidden;

    /// <summary>Builds the network; <paramref name="seed"/>, when given, seeds libtorch before the weights are initialised.</summary>
    public Vae(VaeOptions? options = null, int? seed = null) : base("Vae")
    {
        Options = options ?? new VaeOptions();
        Options.Validate();
        if (seed is int s) torch.manual_seed(s);
        int h = Options.Height / 4, w = Options.Width / 4, k = Options.Classes;
        hidden = [64, h, w];
        encoder = nn.Sequential(
            nn.Conv2d(Options.Channels, 32, 4, stride: 2, padding: 1), nn.ReLU(),
            nn.Conv2d(32, 64, 4, stride: 2, padding: 1), nn.ReLU(),
            nn.Flatten());
        fc_mu = nn.Linear(64 * h * w + k, Options.LatentSize);
        fc_logvar = nn.Linear(64 * h * w + k, Options.LatentSize);
        decoder_input = nn.Linear(Options.LatentSize + k, 64 * h * w);
        // The last layer yields logits; the sigmoid is applied in Decode (and folded into the Bernoulli loss).
        decoder = nn.Sequential(
            nn.ConvTranspose2d(64, 32, 4, stride: 2, padding: 1), nn.ReLU(),
            nn.ConvTranspose2d(32, Options.Channels, 4, stride: 2, padding: 1));
        RegisterComponents();
        SetTraining(false);
    }

    /// <summary>The settings the model was built with.</summary>
    public VaeOptions Options { get; }
    /// <inheritdoc/>
    public string Kind => "vae";
    /// <inheritdoc/>
    public int LatentSize => Options.LatentSize;
    /// <inheritdoc/>
    public int Classes => Options.Classes;
    /// <inheritdoc/>
    public int Channels => Options.Channels;
    /// <inheritdoc/>
    public int Height => Options.Height;
    /// <inheritdoc/>
    public int Width => Options.Width;
    /// <inheritdoc/>
    public nn.Module Module => this;

    /// <inheritdoc/>
    public void SetTraining(bool training) => train(training);

    /// <summary>Mean μ and log-variance log σ² of q(z | x[, y]).</summary>
    public (Tensor Mu, Tensor LogVar) Encode(Tensor x, Tensor? labels = null)
    {
        GenerationChecks.CheckImages(this, x);
        GenerationChecks.CheckLabels(this, labels, x.shape[0]);
        using var scope = torch.NewDisposeScope();
        var f = WithLabels(encoder.call(x), labels);
        return (fc_mu.call(f).MoveToOuterDisposeScope(), fc_logvar.call(f).MoveToOuterDisposeScope());
    }

    /// <inheritdoc/>
    public Tensor Decode(Tensor latents, Tensor? labels = null)
    {
        GenerationChecks.CheckLatents(this, latents);
        GenerationChecks.CheckLabels(this, labels, latents.shape[0]);
        using var logits = DecodeLogits(latents, labels);
        return torch.sigmoid(logits);
    }

    /// <summary>Decodes the posterior mean of <paramref name="x"/> (no sampling), in evaluation mode without gradients.</summary>
    public Tensor Reconstruct(Tensor x, Tensor? labels = null)
    {
        using var noGrad = torch.no_grad();
        bool was = training;
        SetTraining(false);
        try
        {
            var (mu, logVar) = Encode(x, labels);
            using (mu) using (logVar) return Decode(mu, labels);
        }
        finally { SetTraining(was); }
    }

    /// <inheritdoc/>
    public GeneratedSamples Generate(int count, int seed, int? label = null)
    {
        if (count < 1) throw new GlassboxException($"Generate at least 1 image, not {count}.");
        using var noGrad = torch.no_grad();
        var device = GenerationChecks.DeviceOf(this);
        using var labels = GenerationChecks.Labels(this, count, label, device);
        using var g = new torch.Generator((ulong)(uint)seed);
        // Latents are drawn on the CPU (the same numbers on every device), then moved to the model's device.
        var z = GenerationChecks.ToDevice(torch.randn([count, LatentSize], generator: g), device);
        bool was = training;
        SetTraining(false);
        try { return new GeneratedSamples(Decode(z, labels), z); }
        finally { SetTraining(was); }
    }

    /// <summary>
    /// Negative ELBO of a batch: the reconstruction term summed over pixels and the KL to N(0, I), both averaged over
    /// images; <paramref name="noise"/> draws ε for the reparameterisation z = μ + σ·ε.
    /// </summary>
    public VaeLoss Loss(Tensor x, Tensor? labels, torch.Generator noise)
    {
        using var scope = torch.NewDisposeScope();
        var (mu, logVar) = Encode(x, labels);
        var eps = torch.randn(mu.shape, generator: noise).to(mu.device);
        var z = mu + torch.exp(0.5 * logVar) * eps;
        var logits = DecodeLogits(z, labels);
        long n = x.shape[0];
        var recon = Options.Likelihood == VaeLikelihood.Bernoulli
            ? nn.functional.binary_cross_entropy_with_logits(logits, x, reduction: nn.Reduction.Sum) / n
            : 0.5 * (torch.sigmoid(logits) - x).square().sum() / n;
        var klPerDim = (0.5 * (mu.square() + logVar.exp() - 1 - logVar)).mean([0]);
        var kl = klPerDim.sum();
        var loss = recon + Options.Beta * kl;
        var perDim = klPerDim.detach().cpu().data<float>().Select(v => (double)v).ToArray();
        return new VaeLoss(loss.MoveToOuterDisposeScope(), recon.cpu().item<float>(), kl.cpu().item<float>(), perDim);
    }

    private Tensor DecodeLogits(Tensor z, Tensor? labels)
    {
        using var scope = torch.NewDisposeScope();
        var hIn = nn.functional.relu(decoder_input.call(WithLabels(z, labels)));
        return decoder.call(hIn.view([z.shape[0], .. hidden])).MoveToOuterDisposeScope();
    }

    private Tensor WithLabels(Tensor features, Tensor? labels)
        => labels is null ? features : torch.cat([features, nn.functional.one_hot(labels, Classes).to_type(features.dtype)], 1);
}

/// <summary>One batch's VAE loss.</summary>
/// <param name="Loss">Negative ELBO per image (reconstruction + β·KL), with gradients.</param>
/// <param name="Reconstruction">Reconstruction term per image.</param>
/// <param name="Kl">KL(q(z|x) ‖ N(0, I)) per image.</param>
/// <param name="KlPerDimension">KL per latent dimension, averaged over the batch.</param>
public sealed record VaeLoss(Tensor Loss, double Reconstruction, double Kl, double[] KlPerDimension);

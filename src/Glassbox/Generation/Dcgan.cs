using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Glassbox.Generation;

/// <summary>
/// DCGAN (Radford et al. 2016) for small images. Generator: latent → Linear → 128×H/4×W/4 → ConvT 64 s2 + BN + ReLU →
/// ConvT C s2 + sigmoid/tanh. Discriminator: Conv 64 s2 + LeakyReLU(0.2) → Conv 128 s2 + BN + LeakyReLU(0.2) →
/// Linear → logit. Trained with the non-saturating loss (Goodfellow et al. 2014) on BCE-with-logits. Optionally
/// class-conditional: a learned label embedding is concatenated to the latent and to the discriminator features.
/// State-dict keys: <c>generator.fc.weight</c>, <c>generator.net.0.weight</c>, …, <c>discriminator.net.0.weight</c>,
/// <c>discriminator.fc.weight</c>, and <c>*.label_embedding.weight</c> when conditional.
/// </summary>
public sealed class Dcgan : nn.Module, IGenerativeModel
{
    private readonly DcganGenerator generator;
    private readonly DcganDiscriminator discriminator;

    /// <summary>Builds both networks; <paramref name="seed"/>, when given, seeds libtorch before the weights are initialised.</summary>
    public Dcgan(DcganOptions? options = null, int? seed = null) : base("Dcgan")
    {
        Options = options ?? new DcganOptions();
        Options.Validate();
        if (seed is int s) torch.manual_seed(s);
        generator = new DcganGenerator(Options);
        discriminator = new DcganDiscriminator(Options);
        RegisterComponents();
        SetTraining(false);
    }

    /// <summary>The settings the model was built with.</summary>
    public DcganOptions Options { get; }
    /// <inheritdoc/>
    public string Kind => "dcgan";
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
    /// <summary>The generator network (its parameters are the ones the generator optimiser updates).</summary>
    public nn.Module Generator => generator;
    /// <summary>The discriminator network.</summary>
    public nn.Module Discriminator => discriminator;

    /// <inheritdoc/>
    public void SetTraining(bool training) => train(training);

    /// <inheritdoc/>
    public Tensor Decode(Tensor latents, Tensor? labels = null)
    {
        GenerationChecks.CheckLatents(this, latents);
        GenerationChecks.CheckLabels(this, labels, latents.shape[0]);
        using var raw = generator.Forward(latents, labels);
        return Options.Output == GeneratorOutput.Tanh ? (raw + 1) / 2 : raw.alias();
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

    /// <summary>Generator output in the training range ([0, 1] for sigmoid, [-1, 1] for tanh).</summary>
    internal Tensor GenerateRaw(Tensor z, Tensor? labels) => generator.Forward(z, labels);

    /// <summary>Discriminator logits (N) for images in the training range.</summary>
    internal Tensor Discriminate(Tensor x, Tensor? labels) => discriminator.Forward(x, labels);
}

/// <summary>The DCGAN generator network.</summary>
internal sealed class DcganGenerator : nn.Module
{
    private readonly Embedding? label_embedding;
    private readonly Linear fc;
    private readonly Sequential net;
    private readonly long[] hidden;

    public DcganGenerator(DcganOptions o) : base("DcganGenerator")
    {
        int h = o.Height / 4, w = o.Width / 4, k = o.Classes;
        hidden = [128, h, w];
        if (k > 0) label_embedding = nn.Embedding(k, k);
        fc = nn.Linear(o.LatentSize + k, 128 * h * w);
        net = nn.Sequential(
            nn.ConvTranspose2d(128, 64, 4, stride: 2, padding: 1), nn.BatchNorm2d(64), nn.ReLU(),
            nn.ConvTranspose2d(64, o.Channels, 4, stride: 2, padding: 1),
            o.Output == GeneratorOutput.Tanh ? nn.Tanh() : nn.Sigmoid());
        RegisterComponents();
    }

    public Tensor Forward(Tensor z, Tensor? labels)
    {
        using var scope = torch.NewDisposeScope();
        var input = label_embedding is null || labels is null ? z : torch.cat([z, label_embedding.call(labels)], 1);
        var hIn = nn.functional.relu(fc.call(input)).view([z.shape[0], .. hidden]);
        return net.call(hIn).MoveToOuterDisposeScope();
    }
}

/// <summary>The DCGAN discriminator network.</summary>
internal sealed class DcganDiscriminator : nn.Module
{
    private readonly Embedding? label_embedding;
    private readonly Sequential net;
    private readonly Linear fc;

    public DcganDiscriminator(DcganOptions o) : base("DcganDiscriminator")
    {
        int h = o.Height / 4, w = o.Width / 4, k = o.Classes;
        if (k > 0) label_embedding = nn.Embedding(k, k);
        net = nn.Sequential(
            nn.Conv2d(o.Channels, 64, 4, stride: 2, padding: 1), nn.LeakyReLU(0.2),
            nn.Conv2d(64, 128, 4, stride: 2, padding: 1), nn.BatchNorm2d(128), nn.LeakyReLU(0.2),
            nn.Flatten());
        fc = nn.Linear(128 * h * w + k, 1);
        RegisterComponents();
    }

    public Tensor Forward(Tensor x, Tensor? labels)
    {
        using var scope = torch.NewDisposeScope();
        var f = net.call(x);
        if (label_embedding is not null && labels is not null) f = torch.cat([f, label_embedding.call(labels)], 1);
        return fc.call(f).squeeze(1).MoveToOuterDisposeScope();
    }
}

namespace Glassbox.App;

/// <summary>
/// Settings of the generator part of <c>glassbox demo --generator</c>: a VAE (Kingma &amp; Welling 2014) and a DCGAN
/// (Radford et al. 2016) trained on the demo's training images, evaluated in model A's features and explained.
/// The defaults fit the 5-minute budget of the whole demo on 2 cores.
/// </summary>
/// <param name="VaeEpochs">VAE training epochs.</param>
/// <param name="DcganEpochs">DCGAN training epochs.</param>
/// <param name="BatchSize">Images per step for both generators.</param>
/// <param name="VaeLatent">VAE latent size (the DCGAN keeps its reference 64).</param>
/// <param name="EvaluateCount">Generated images compared with as many test images (and the floor: test vs as many training images); at most the test set's size.</param>
/// <param name="ClassifiedSamples">Prior samples classified by model A for the per-class sample grids.</param>
/// <param name="ExplainCount">Codes or images each generator explanation kind explains (its -n).</param>
public sealed record DemoGeneratorOptions(
    int VaeEpochs = 15,
    int DcganEpochs = 12,
    int BatchSize = 64,
    int VaeLatent = 8,
    int EvaluateCount = 2000,
    int ClassifiedSamples = 600,
    int ExplainCount = 8)
{
    /// <summary>Throws a <see cref="GlassboxException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (VaeEpochs < 1 || DcganEpochs < 1) throw new GlassboxException($"Generator epochs must be at least 1 (VAE {VaeEpochs}, DCGAN {DcganEpochs}).");
        if (BatchSize < 1) throw new GlassboxException($"The generator batch size must be at least 1, not {BatchSize}.");
        if (VaeLatent < 1) throw new GlassboxException($"The VAE latent size must be at least 1, not {VaeLatent}.");
        if (EvaluateCount < Generation.EvaluateGeneratorJob.MinCount)
            throw new GlassboxException($"The generator evaluation needs at least {Generation.EvaluateGeneratorJob.MinCount} images, not {EvaluateCount}.");
        if (ClassifiedSamples < 1) throw new GlassboxException($"Classify at least 1 generated sample, not {ClassifiedSamples}.");
        if (ExplainCount < 1) throw new GlassboxException($"Explain at least 1 code, not {ExplainCount}.");
    }
}

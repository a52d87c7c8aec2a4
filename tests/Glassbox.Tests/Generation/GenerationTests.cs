using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.Generation;
using Glassbox.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Generation;

/// <summary>Shapes, determinism, checkpoints, learning and refusals of the VAE and DCGAN (issue 11).</summary>
[Collection(SerialCollection.Name)]
public class GenerationTests
{
    private static readonly Lazy<ImageDataset> Tiny = new(() => SampleData.Train.Take(256));

    private static float[] Flat(Tensor t) { using var c = t.detach().cpu().contiguous(); return c.data<float>().ToArray(); }

    private static Dictionary<string, float[]> Weights(IGenerativeModel m)
        => m.Module.state_dict().ToDictionary(kv => kv.Key, kv => { using var f = kv.Value.detach().cpu().to_type(ScalarType.Float32).contiguous(); return f.data<float>().ToArray(); });

    public static TheoryData<string, bool> Models => new() { { "vae", false }, { "vae", true }, { "dcgan", false }, { "dcgan", true } };

    private static IGenerativeModel Build(string kind, bool conditional, int seed = 1)
        => kind == "vae"
            ? new Vae(new VaeOptions(ClassNames: conditional ? MnistFormat.DigitClassNames : null), seed)
            : new Dcgan(new DcganOptions(ClassNames: conditional ? MnistFormat.DigitClassNames : null), seed);

    [Theory]
    [MemberData(nameof(Models))]
    public void Generate_ReturnsImagesInUnitRangeAndTheirLatents(string kind, bool conditional)
    {
        using var model = Build(kind, conditional);
        using var s = model.Generate(5, seed: 3, label: conditional ? 7 : null);
        Assert.Equal([5L, 1, 28, 28], s.Images.shape);
        Assert.Equal([5L, kind == "vae" ? 16 : 64], s.Latents.shape);
        Assert.All(Flat(s.Images), v => Assert.InRange(v, 0f, 1f));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Vae_EncodeAndReconstruct_HaveTheDocumentedShapes(bool conditional)
    {
        using var vae = (Vae)Build("vae", conditional);
        using var x = torch.rand(3, 1, 28, 28);
        using var y = conditional ? torch.tensor(new long[] { 0, 4, 9 }) : null;
        var (mu, logVar) = vae.Encode(x, y);
        using (mu) using (logVar)
        {
            Assert.Equal([3L, 16], mu.shape);
            Assert.Equal([3L, 16], logVar.shape);
        }
        using var r = vae.Reconstruct(x, y);
        Assert.Equal([3L, 1, 28, 28], r.shape);
        Assert.All(Flat(r), v => Assert.InRange(v, 0f, 1f));
    }

    [Fact]
    public void Dcgan_TanhOutput_IsMappedBackToUnitRange()
    {
        using var gan = new Dcgan(new DcganOptions(Output: GeneratorOutput.Tanh), 2);
        using var s = gan.Generate(4, 0);
        var v = Flat(s.Images);
        Assert.All(v, p => Assert.InRange(p, 0f, 1f));
        Assert.Contains(v, p => p < 0.5f);
    }

    [Theory]
    [InlineData("vae")]
    [InlineData("dcgan")]
    public void SameSeed_GivesIdenticalWeightsAfterTrainingAndIdenticalSamples(string kind)
    {
        var data = Tiny.Value.Take(64);
        var opts = new GeneratorTrainingOptions(Epochs: 1, BatchSize: 32, Seed: 5);
        using var a = Build(kind, false, seed: 11);
        using var b = Build(kind, false, seed: 11);
        var ha = new GeneratorTrainer(opts).Train(a, data);
        var hb = new GeneratorTrainer(opts).Train(b, data);
        var wa = Weights(a);
        var wb = Weights(b);
        Assert.Equal(wa.Keys, wb.Keys);
        foreach (var k in wa.Keys) Assert.Equal(wa[k], wb[k]);
        Assert.Equal(ha.Epochs[0].Losses, hb.Epochs[0].Losses);
        using var sa = a.Generate(4, 9);
        using var sb = b.Generate(4, 9);
        Assert.Equal(Flat(sa.Images), Flat(sb.Images));
        Assert.Equal(Flat(sa.Latents), Flat(sb.Latents));

        // A different training seed (shuffle and noise) gives different weights.
        using var c = Build(kind, false, seed: 11);
        new GeneratorTrainer(opts with { Seed = 6 }).Train(c, data);
        var wc = Weights(c);
        Assert.Contains(wa.Keys, k => !wa[k].SequenceEqual(wc[k]));
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Checkpoint_RoundTrip_UsesPyTorchKeysAndReproducesSamples(string kind, bool conditional)
    {
        string dir = Path.Combine(Path.GetTempPath(), "gb-gen-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var model = Build(kind, conditional);
            var history = new GeneratorTrainer(new GeneratorTrainingOptions(Epochs: 1, BatchSize: 64)).Train(model, Tiny.Value.Take(64));
            GeneratorCheckpoint.Save(dir, model, history);

            var keys = SafeTensors.Read(Path.Combine(dir, Checkpoint.WeightsFile)).Keys.ToHashSet();
            string[] expected = kind == "vae"
                ? ["encoder.0.weight", "encoder.0.bias", "encoder.2.weight", "fc_mu.weight", "fc_logvar.bias", "decoder_input.weight", "decoder.0.weight", "decoder.2.bias"]
                : ["generator.fc.weight", "generator.net.0.weight", "generator.net.1.running_mean", "generator.net.1.num_batches_tracked", "generator.net.3.weight",
                   "discriminator.net.0.weight", "discriminator.net.2.weight", "discriminator.net.3.running_var", "discriminator.fc.weight"];
            Assert.All(expected, k => Assert.Contains(k, keys));
            Assert.Equal(conditional && kind == "dcgan", keys.Contains("generator.label_embedding.weight"));

            var (loaded, meta) = GeneratorCheckpoint.Load(dir);
            using (loaded)
            {
                Assert.Equal(kind, meta.Kind);
                Assert.Equal(model.LatentSize, meta.LatentSize);
                Assert.Equal(conditional ? 10 : 0, meta.Classes);
                Assert.Equal((1, 28, 28), (meta.Channels, meta.Height, meta.Width));
                Assert.Equal(history.Epochs[0].Losses, meta.Training!.Epochs[0].Losses);
                Assert.Equal(Weights(model).Keys.Order(), Weights(loaded).Keys.Order());
                using var s1 = model.Generate(3, 4, conditional ? 2 : null);
                using var s2 = loaded.Generate(3, 4, conditional ? 2 : null);
                Assert.Equal(Flat(s1.Images), Flat(s2.Images));
            }
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void Vae_NegativeElboDecreases_AndKlIsRecordedPerDimension()
    {
        using var vae = new Vae(new VaeOptions(), 3);
        var reports = new List<GeneratorProgress>();
        var h = new GeneratorTrainer(new GeneratorTrainingOptions(Epochs: 4, BatchSize: 32, Seed: 1)).Train(vae, Tiny.Value, new SyncProgress<GeneratorProgress>(reports.Add));
        Assert.Equal(4 * 8, reports.Count);
        Assert.All(reports, r => Assert.Equal(["kl", "loss", "reconstruction"], r.Losses.Keys.Order()));
        Assert.All(h.Epochs, e => Assert.Equal(["kl", "loss", "reconstruction"], e.Losses.Keys.Order()));
        var losses = h.Epochs.Select(e => e.Losses["loss"]).ToArray();
        Assert.True(losses[^1] < losses[0] * 0.8, $"negative ELBO per epoch: {string.Join(", ", losses)}");
        for (int i = 1; i < losses.Length; i++) Assert.True(losses[i] < losses[i - 1], $"negative ELBO per epoch: {string.Join(", ", losses)}");
        foreach (var e in h.Epochs)
        {
            Assert.Equal(16, e.KlPerDimension!.Length);
            Assert.All(e.KlPerDimension, k => Assert.True(k >= 0));
            Assert.Equal(e.Losses["kl"], e.KlPerDimension.Sum(), 3);
            Assert.Equal(e.Losses["loss"], e.Losses["reconstruction"] + e.Losses["kl"], 2);
        }
    }

    [Fact]
    public void Dcgan_Training_ReportsProgressAndBothLosses()
    {
        using var gan = new Dcgan(new DcganOptions(ClassNames: MnistFormat.DigitClassNames), 3);
        var reports = new List<GeneratorProgress>();
        var h = new GeneratorTrainer(new GeneratorTrainingOptions(Epochs: 1, BatchSize: 64)).Train(gan, Tiny.Value.Take(128), new SyncProgress<GeneratorProgress>(reports.Add));
        Assert.Equal([1, 2], reports.Select(r => r.Batch));
        Assert.All(reports, r => Assert.Equal(2, r.Batches));
        var l = h.Epochs[0].Losses;
        Assert.True(l["discriminator"] > 0 && l["generator"] > 0);
        Assert.InRange(l["d_real"], 0, 1);
        Assert.Null(h.Epochs[0].KlPerDimension);
    }

    [Fact]
    public void MismatchedImageSize_IsRefused()
    {
        using var vae = new Vae(new VaeOptions(Height: 32, Width: 32));
        var e = Assert.Throws<GlassboxException>(() => new GeneratorTrainer(new GeneratorTrainingOptions(Epochs: 1)).Train(vae, Tiny.Value.Take(8)));
        Assert.Contains("1×28×28", e.Message);
        using var x = torch.rand(2, 1, 32, 28);
        Assert.Throws<GlassboxException>(() => vae.Reconstruct(x));
        Assert.Throws<GlassboxException>(() => new Vae(new VaeOptions(Height: 30)));
    }

    [Fact]
    public void MismatchedLatentSize_IsRefused()
    {
        using var gan = new Dcgan();
        using var z = torch.randn(2, 16);
        var e = Assert.Throws<GlassboxException>(() => gan.Decode(z));
        Assert.Contains("N×64", e.Message);

        string dir = Path.Combine(Path.GetTempPath(), "gb-gen-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var small = new Vae(new VaeOptions(LatentSize: 8));
            GeneratorCheckpoint.Save(dir, small);
            var tensors = SafeTensors.Read(Path.Combine(dir, Checkpoint.WeightsFile));
            using var big = new Vae(new VaeOptions(LatentSize: 16));
            var ex = Assert.Throws<GlassboxException>(() => GeneratorCheckpoint.LoadWeights(big, tensors, "small.safetensors"));
            Assert.Contains("fc_mu.weight", ex.Message);
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [Fact]
    public void NaNInput_IsRefused()
    {
        var pixels = (float[])Tiny.Value.Take(4).Pixels.Clone();
        pixels[100] = float.NaN;
        var bad = new ImageDataset(pixels, 4, 1, 28, 28, [0, 1, 2, 3], MnistFormat.DigitClassNames);
        using var vae = new Vae();
        var e = Assert.Throws<GlassboxException>(() => new GeneratorTrainer(new GeneratorTrainingOptions(Epochs: 1)).Train(vae, bad));
        Assert.Contains("NaN", e.Message);
        using var x = torch.rand(2, 1, 28, 28);
        x[0, 0, 3, 3] = torch.tensor(float.NaN);
        Assert.Throws<GlassboxException>(() => vae.Reconstruct(x));
        using var z = torch.full(2, 16, float.NaN);
        Assert.Throws<GlassboxException>(() => vae.Decode(z));
    }

    [Fact]
    public void ConditionalModels_RequireAValidClass()
    {
        using var cvae = new Vae(new VaeOptions(ClassNames: MnistFormat.DigitClassNames));
        Assert.Throws<GlassboxException>(() => cvae.Generate(2, 0));
        Assert.Throws<GlassboxException>(() => cvae.Generate(2, 0, 10));
        using var gan = new Dcgan();
        Assert.Throws<GlassboxException>(() => gan.Generate(2, 0, 3));
    }

    private sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
    {
        public void Report(T value) => report(value);
    }
}

public class SampleGridTests
{
    [Fact]
    public void ToPng_TilesImagesWithGaps()
    {
        using var images = torch.ones(10, 1, 28, 28);
        byte[] png = SampleGrid.ToPng(images, columns: 4, scale: 1);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
        int width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4));
        int height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4));
        Assert.Equal(4 * 28 + 3 * 2, width);
        Assert.Equal(3 * 28 + 2 * 2, height);
        using var bad = torch.ones(2, 28, 28);
        Assert.Throws<GlassboxException>(() => SampleGrid.ToPng(bad));
    }
}

/// <summary>The state_dict of each model equals, key for key and shape for shape, the PyTorch modules in tools/fixtures/make_generators_fixture.py.</summary>
public class GeneratorStateDictTests
{
    public static TheoryData<string> Names => new() { "vae", "cvae", "dcgan", "cdcgan" };

    [Theory]
    [MemberData(nameof(Names))]
    public void StateDict_MatchesPyTorch(string name)
    {
        string path = Path.Combine(Glassbox.Tests.Data.RepoPaths.Root, "tests", "Glassbox.Tests", "Generation", "generator_state_dicts.json");
        var expected = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, Dictionary<string, long[]>>>(File.ReadAllText(path))![name];
        var classes = name.StartsWith('c') ? MnistFormat.DigitClassNames : null;
        using IGenerativeModel model = name.EndsWith("vae", StringComparison.Ordinal) ? new Vae(new VaeOptions(ClassNames: classes)) : new Dcgan(new DcganOptions(ClassNames: classes));
        var actual = model.Module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (k, shape) in expected) Assert.Equal(shape, actual[k]);
    }
}

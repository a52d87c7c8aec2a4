using Glassbox.App;
using Glassbox.App.Generation;
using Glassbox.Data;
using Glassbox.IO;
using Glassbox.Tests.Data;
using Glassbox.Tests.IO;
using Glassbox.Tests.Training;

namespace Glassbox.Tests.App;

[Collection(SerialCollection.Name)]
public class GenerationJobTests
{
    private static readonly Lazy<ImageDataset> Small = new(() => MnistFormat.LoadFolder(RepoPaths.MnistSample, "train").Take(256));

    internal static string Train(TempDirectory dir, string kind, string name, int seed = 0)
    {
        string outDir = dir.File(name);
        TrainGeneratorJob.Run(new TrainGeneratorOptions(kind, outDir, Epochs: 1, BatchSize: 64, Seed: seed), Small.Value, new SilentObserver());
        return outDir;
    }

    [Theory]
    [InlineData("vae", true)]
    [InlineData("cdcgan", false)]
    public void TrainGenerator_WritesCheckpointFiguresAndSamples(string kind, bool vae)
    {
        using var dir = new TempDirectory();
        var result = TrainGeneratorJob.Run(new TrainGeneratorOptions(kind, dir.File("g"), Epochs: 2, BatchSize: 64), Small.Value, new SilentObserver());
        Assert.Equal(2, result.History.Epochs.Count);
        foreach (string f in new[] { "model.safetensors", "model.json", TrainGeneratorJob.LossCurvesFile, TrainGeneratorJob.SamplesFile })
            Assert.True(File.Exists(Path.Combine(dir.File("g"), f)), f);
        Assert.Equal(vae, File.Exists(Path.Combine(dir.File("g"), TrainGeneratorJob.KlFile)));
        var meta = Glassbox.Generation.GeneratorCheckpoint.ReadMetadata(dir.File("g"));
        Assert.Equal(vae ? "vae" : "dcgan", meta.Kind);
        Assert.Equal(vae ? 0 : 10, meta.Classes);
        // One row of 8 per class (10 rows) for a conditional model, 8×8 otherwise; 28-px cells, 2-px gaps, scale 2.
        var (w, h) = PngSize(Path.Combine(dir.File("g"), TrainGeneratorJob.SamplesFile));
        Assert.Equal((8 * 28 + 7 * 2) * 2, w);
        Assert.Equal(((vae ? 8 : 10) * 28 + ((vae ? 8 : 10) - 1) * 2) * 2, h);
    }

    [Fact]
    public void BetaVae_DefaultsToBeta4_AndBetaIsRefusedForGans()
    {
        using var dir = new TempDirectory();
        string g = Train(dir, "beta-vae", "b");
        Assert.Equal(4.0, Glassbox.Generation.GeneratorCheckpoint.ReadMetadata(g).Vae!.Beta);
        var e = Assert.Throws<GlassboxException>(() => TrainGeneratorJob.Run(
            new TrainGeneratorOptions("dcgan", dir.File("d"), Epochs: 1, Beta: 2), Small.Value, new SilentObserver()));
        Assert.Contains("--beta", e.Message);
        e = Assert.Throws<GlassboxException>(() => TrainGeneratorJob.Run(new TrainGeneratorOptions("gan", dir.File("x")), Small.Value, new SilentObserver()));
        Assert.Contains("Unknown generator kind 'gan'", e.Message);
    }

    [Fact]
    public void Generate_WritesShapedArrays_IsDeterministicUnderSeed_AndReconstructs()
    {
        using var dir = new TempDirectory();
        string g = Train(dir, "vae", "g");
        var input = Small.Value.Take(5);
        NpyFile.Write(dir.File("x.npy"), input.Pixels, [5, 1, 28, 28]);
        GenerateJob.Run(new GenerateOptions(g, dir.File("a"), Count: 12, Seed: 3, Input: dir.File("x.npy")));
        GenerateJob.Run(new GenerateOptions(g, dir.File("b"), Count: 12, Seed: 3));
        GenerateJob.Run(new GenerateOptions(g, dir.File("c"), Count: 12, Seed: 4));
        float[] a = NpyFile.ReadFloat32(Path.Combine(dir.File("a"), GenerateJob.SamplesNpy), out int[] shape);
        Assert.Equal([12, 1, 28, 28], shape);
        NpyFile.ReadFloat32(Path.Combine(dir.File("a"), GenerateJob.LatentsNpy), out int[] zShape);
        Assert.Equal([12, 16], zShape);
        Assert.All(a, v => Assert.InRange(v, 0f, 1f));
        Assert.Equal(a, NpyFile.ReadFloat32(Path.Combine(dir.File("b"), GenerateJob.SamplesNpy), out _));
        Assert.NotEqual(a, NpyFile.ReadFloat32(Path.Combine(dir.File("c"), GenerateJob.SamplesNpy), out _));
        NpyFile.ReadFloat32(Path.Combine(dir.File("a"), GenerateJob.ReconstructionsNpy), out int[] rShape);
        Assert.Equal([5, 1, 28, 28], rShape);
        var (w, h) = PngSize(Path.Combine(dir.File("a"), GenerateJob.ReconstructionsPng));
        Assert.Equal((5 * 28 + 4 * 2) * 2, w); // one row of originals above one row of reconstructions
        Assert.Equal((2 * 28 + 2) * 2, h);
        Assert.False(File.Exists(Path.Combine(dir.File("b"), GenerateJob.ReconstructionsPng)));
    }

    [Fact]
    public void Generate_ConditionalModel_DrawsTheClassAsked_AndRefusesBadRequests()
    {
        using var dir = new TempDirectory();
        string g = Train(dir, "cdcgan", "g");
        GenerateJob.Run(new GenerateOptions(g, dir.File("one"), Count: 4, Class: 7));
        NpyFile.ReadFloat32(Path.Combine(dir.File("one"), GenerateJob.SamplesNpy), out int[] shape);
        Assert.Equal([4, 1, 28, 28], shape);
        GenerateJob.Run(new GenerateOptions(g, dir.File("all"), Count: 20));
        Assert.True(File.Exists(Path.Combine(dir.File("all"), GenerateJob.SamplesPng)));

        Assert.Contains("out of range", Fails(new GenerateOptions(g, dir.File("x"), Class: 10)));
        Assert.Contains("-n must be between 1 and", Fails(new GenerateOptions(g, dir.File("x"), Count: 0)));
        Assert.Contains("-n must be between 1 and", Fails(new GenerateOptions(g, dir.File("x"), Count: int.MaxValue)));
        Assert.Contains("reconstructs images with a VAE", Fails(new GenerateOptions(g, dir.File("x"), Input: dir.File("none.npy"))));
        Assert.Contains("does not exist", Fails(new GenerateOptions(dir.File("missing"), dir.File("x"))));
        File.WriteAllText(Path.Combine(g, "model.safetensors"), "corrupt");
        Assert.Contains("SHA-256", Fails(new GenerateOptions(g, dir.File("x"))));
        Assert.False(Directory.Exists(dir.File("x")));
    }

    [Fact]
    public void Generate_ClassOnAnUnconditionalModel_IsRefused()
    {
        using var dir = new TempDirectory();
        string g = Train(dir, "dcgan", "g");
        Assert.Contains("unconditional", Fails(new GenerateOptions(g, dir.File("x"), Class: 1)));
    }

    private static string Fails(GenerateOptions o) => Assert.Throws<GlassboxException>(() => GenerateJob.Run(o)).Message;

    private static (int Width, int Height) PngSize(string path)
    {
        byte[] b = File.ReadAllBytes(path);
        int Be(int i) => (b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3];
        return (Be(16), Be(20));
    }
}

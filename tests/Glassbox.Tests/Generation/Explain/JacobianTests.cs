using Glassbox.App.Generation.Explain;
using Glassbox.Generation;
using Glassbox.Generation.Explain.Traversals;
using Glassbox.IO;
using Glassbox.Tests.IO;
using Glassbox.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Generation.Explain;

/// <summary>Decoder Jacobian maps against their closed form and against one backward pass per pixel (issue 12, explanation 1).</summary>
[Collection(SerialCollection.Name)]
public class JacobianTests
{
    private static float[] Flat(Tensor t) { using var c = t.detach().cpu().contiguous(); return c.data<float>().ToArray(); }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Jacobian_OfHandSetDecoder_IsTheClosedForm(bool sigmoid)
    {
        // Linear: ∂G_p/∂z_j = W[p, j], the same at every code; sigmoid: σ'(W z + b)_p · W[p, j].
        using var g = HandDecoder.Random(latent: 3, height: 4, width: 4, sigmoid, seed: 7);
        float[] z = [0.4f, -0.7f, 1.1f, -2f, 0f, 0.5f];
        using var codes = torch.tensor(z, [2, 3]);
        using var columns = DecoderJacobian.Columns(g, codes);
        Assert.Equal([2L, 3, 1, 4, 4], columns.shape);
        using var maps = DecoderJacobian.Maps(g, codes);
        Assert.Equal([2L, 3, 4, 4], maps.shape);
        var c = Flat(columns);
        var m = Flat(maps);
        for (int n = 0; n < 2; n++)
        {
            double[] code = z.Skip(n * 3).Take(3).Select(v => (double)v).ToArray();
            for (int j = 0; j < 3; j++)
                for (int p = 0; p < 16; p++)
                {
                    double d = g.Derivative(code, p, j);
                    Assert.Equal(d, c[(n * 3 + j) * 16 + p], 5);
                    Assert.Equal(Math.Abs(d), m[(n * 3 + j) * 16 + p], 5);
                }
        }
    }

    [Fact]
    public void PixelNorms_AreTheEuclideanNormOverChannels()
    {
        using var columns = torch.tensor(new float[] { 3, 0, 4, 1 }, [1, 1, 2, 1, 2]);
        Assert.Equal(new float[] { 5, 1 }, Flat(DecoderJacobian.PixelNorms(columns)));
    }

    [Theory]
    [InlineData("vae")]
    [InlineData("dcgan")]
    public void Jacobian_OfAConvolutionalGenerator_EqualsOneBackwardPassPerPixel(string kind)
    {
        using IGenerativeModel gen = kind == "vae" ? new Vae(new VaeOptions(LatentSize: 6), 4) : new Dcgan(new DcganOptions(LatentSize: 6), 4);
        gen.SetTraining(false);
        using var codes = torch.randn([2, 6], generator: new torch.Generator(3));
        using var columns = DecoderJacobian.Columns(gen, codes);
        var c = Flat(columns);
        double scale = c.Max(v => Math.Abs(v));
        Assert.True(scale > 0);
        for (int n = 0; n < 2; n++)
        {
            using var z = codes.narrow(0, n, 1).detach().clone().requires_grad_(true);
            using var y = gen.Decode(z).flatten();
            for (int p = 0; p < 784; p += 41)
            {
                var row = Flat(torch.autograd.grad([y[p]], [z], retain_graph: true)[0]);
                for (int j = 0; j < 6; j++) Assert.True(Math.Abs(row[j] - c[(n * 6 + j) * 784 + p]) <= 1e-5 * scale, $"pixel {p}, dim {j}: {row[j]} vs {c[(n * 6 + j) * 784 + p]}");
            }
        }
    }

    [Fact]
    public void Columns_RefuseCodesOfTheWrongSize()
    {
        using var g = HandDecoder.Random(3, 2, 2, false, 1);
        using var codes = torch.zeros(2, 4);
        var e = Assert.Throws<GlassboxException>(() => DecoderJacobian.Columns(g, codes));
        Assert.Contains("N×3", e.Message);
    }

    [Fact]
    public void JacobianJob_OnATinyVae_OrdersByTheCheckpointKlAndWritesExactMaps()
    {
        using var dir = new TempDirectory();
        var r = ExplainGeneratorJob.Run(new ExplainGeneratorRequest(TinyCheckpoints.Vae, "jacobian", dir.File("out"), Count: 2, Seed: 1,
            Options: new Dictionary<string, string> { ["top"] = "4" }));
        Assert.Equal("kl", r.Summary["order"]);
        Assert.Contains("checkpoint history", (string)r.Summary["orderSource"]!);
        var meta = GeneratorCheckpoint.ReadMetadata(TinyCheckpoints.Vae);
        Assert.Equal(meta.Training!.Epochs[^1].KlPerDimension, (double[])r.Summary["scores"]!);
        var npy = NpyFile.Read(Path.Combine(r.Folder, "jacobian.npy"));
        Assert.Equal([2, 8, 28, 28], npy.Shape);
        Assert.Equal([2, 4, 7, 1, 28, 28], NpyFile.Read(Path.Combine(r.Folder, "traversals.npy")).Shape);
        Assert.Equal(2, r.Figures.Count);

        var (gen, _) = GeneratorCheckpoint.Load(TinyCheckpoints.Vae);
        using (gen)
        {
            using var codes = BaseCodes.FromPrior(gen, 2, 1);
            var expected = Flat(DecoderJacobian.Maps(gen, codes.Codes));
            var written = npy.ToFloat32();
            for (int i = 0; i < expected.Length; i += 31) Assert.Equal(expected[i], written[i], 5);
        }
        var frob = (double[])r.Summary["jacobianFrobeniusMean"]!;
        Assert.Equal(8, frob.Length);
        Assert.All(frob, v => Assert.True(v > 0));
    }
}

using Glassbox.App.Generation.Explain;
using Glassbox.Generation;
using Glassbox.Generation.Explain.Traversals;
using Glassbox.IO;
using Glassbox.Tests.IO;
using Glassbox.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Generation.Explain;

/// <summary>Latent traversals against their definition (issue 12, explanation 1).</summary>
[Collection(SerialCollection.Name)]
public class TraversalTests
{
    private static float[] Flat(Tensor t) { using var c = t.detach().cpu().contiguous(); return c.data<float>().ToArray(); }

    [Fact]
    public void Offsets_RunFromMinusToPlusRangeSigma_WithTheCentreInTheMiddle()
    {
        Assert.Equal([-3, -2, -1, 0, 1, 2, 3], new LatentTraversalOptions().Offsets());
        var nine = new LatentTraversalOptions(9, 2).Offsets();
        Assert.Equal(-2, nine[0]);
        Assert.Equal(0, nine[4], 12);
        Assert.Equal(2, nine[8]);
        Assert.Throws<GlassboxException>(() => new LatentTraversalOptions(1).Validate());
        Assert.Throws<GlassboxException>(() => new LatentTraversalOptions(7, double.NaN).Validate());
    }

    [Fact]
    public void Traversal_OfHandSetSigmoidDecoder_IsTheClosedForm()
    {
        using var g = HandDecoder.Random(latent: 3, height: 4, width: 4, sigmoid: true, seed: 1);
        float[] z = [0.5f, -1.2f, 2.0f];
        float[] center = [0.1f, 0.2f, -0.3f], scale = [1.0f, 0.5f, 2.0f];
        using var zt = torch.tensor(z);
        using var ct = torch.tensor(center);
        using var st = torch.tensor(scale);
        var offsets = new LatentTraversalOptions().Offsets();
        int[] dims = [2, 0];
        using var images = LatentTraversal.Decode(g, zt, ct, st, dims, offsets);
        Assert.Equal([2L, 7, 1, 4, 4], images.shape);
        var v = Flat(images);
        for (int r = 0; r < dims.Length; r++)
            for (int s = 0; s < offsets.Length; s++)
            {
                double[] code = z.Select(x => (double)x).ToArray();
                int j = dims[r];
                code[j] = center[j] + offsets[s] * scale[j];
                for (int p = 0; p < 16; p++)
                    Assert.Equal(g.Pixel(code, p), v[(r * 7 + s) * 16 + p], 5);
            }
    }

    [Fact]
    public void OutputVariance_OfLinearDecoder_IsColumnNormSquaredTimesStepVariance_AndOrdersTheDimensions()
    {
        // G(z) = W z + b: along dimension j the image moves by t·s_j·W e_j, so Σ_pixels Var_t = ‖W e_j‖² s_j² Var(t).
        var w = new double[4, 3] { { 1, 0, 0.5 }, { 0, 2, 0 }, { 0, 0, 0.5 }, { 1, 0, 0 } };
        using var g = new HandDecoder(w, [0.1, 0.2, 0.3, 0.4], 2, 2, sigmoid: false);
        using var codes = torch.tensor(new float[] { 0.3f, -0.2f, 1f, -1f, 0.5f, 0.25f }, [2, 3]);
        using var centers = torch.zeros(2, 3);
        using var scales = torch.ones(2, 3);
        var offsets = new LatentTraversalOptions().Offsets();
        double varT = offsets.Select(t => t * t).Average();
        var variance = LatentTraversal.OutputVariance(g, codes, centers, scales, offsets);
        double[] expected = [2 * varT, 4 * varT, 0.5 * varT];
        for (int j = 0; j < 3; j++) Assert.Equal(expected[j], variance[j], 4);
        Assert.Equal([1, 0, 2], LatentTraversal.Order(variance, 3));
        Assert.Equal([1], LatentTraversal.Order(variance, 1));
    }

    [Fact]
    public void Codes_ChangeOnlyTheTraversedDimension()
    {
        using var z = torch.tensor(new float[] { 1, 2, 3, 4 });
        using var c = torch.zeros(4);
        using var s = torch.ones(4);
        using var codes = LatentTraversal.Codes(z, c, s, [1, 3], [-1, 0, 1]);
        Assert.Equal(new float[] { 1, -1, 3, 4, 1, 0, 3, 4, 1, 1, 3, 4, 1, 2, 3, -1, 1, 2, 3, 0, 1, 2, 3, 1 }, Flat(codes));
        Assert.Throws<GlassboxException>(() => LatentTraversal.Codes(z, c, s, [4], [0]));
    }

    [Fact]
    public void KlPerDimension_Measured_IsTheGaussianKlOfTheEncoderPosterior()
    {
        using var vae = new Vae(new VaeOptions(LatentSize: 4), 2);
        var data = SampleData.Train.Take(20);
        using var x = torch.tensor(data.Pixels, [20, 1, 28, 28]);
        var kl = KlPerDimension.Measure(vae, x);
        var (mu, logVar) = vae.Encode(x);
        using (mu) using (logVar)
        {
            var m = Flat(mu);
            var lv = Flat(logVar);
            for (int j = 0; j < 4; j++)
            {
                double e = 0;
                for (int i = 0; i < 20; i++) e += 0.5 * (m[i * 4 + j] * m[i * 4 + j] + Math.Exp(lv[i * 4 + j]) - 1 - lv[i * 4 + j]);
                Assert.Equal(e / 20, kl[j], 4);
            }
        }
    }

    [Fact]
    public void BaseCodes_FromFile_RefuseAMismatchedLatentSizeNaNAndImagesForAGan_InOneLine()
    {
        using var dir = new TempDirectory();
        using var gan = new Dcgan(new DcganOptions(LatentSize: 16), 1);
        string wrong = dir.File("wrong.npy");
        NpyFile.Write(wrong, new float[3 * 8], [3, 8]);
        var e = Assert.Throws<GlassboxException>(() => BaseCodes.FromFile(gan, wrong, 10));
        Assert.Contains("16 dimensions", e.Message);
        Assert.DoesNotContain('\n', e.Message);

        string nan = dir.File("nan.npy");
        var values = new float[2 * 16];
        values[20] = float.NaN;
        NpyFile.Write(nan, values, [2, 16]);
        e = Assert.Throws<GlassboxException>(() => BaseCodes.FromFile(gan, nan, 10));
        Assert.Contains("NaN", e.Message);
        Assert.Contains("code 1, dimension 4", e.Message);

        string images = dir.File("images.npy");
        NpyFile.Write(images, new float[2 * 28 * 28], [2, 1, 28, 28]);
        e = Assert.Throws<GlassboxException>(() => BaseCodes.FromFile(gan, images, 10));
        Assert.Contains("no encoder", e.Message);

        string good = dir.File("good.npy");
        NpyFile.Write(good, Enumerable.Range(0, 48).Select(i => (float)i).ToArray(), [3, 16]);
        using var b = BaseCodes.FromFile(gan, good, 2);
        Assert.Equal([2L, 16], b.Codes.shape);
        Assert.Equal(17f, Flat(b.Codes)[17]);
    }

    [Fact]
    public void BaseCodes_OfEncodedImages_AreThePosteriorMeanWithThePosteriorSigma()
    {
        using var dir = new TempDirectory();
        using var vae = new Vae(new VaeOptions(LatentSize: 4), 2);
        var data = SampleData.Train.Take(3);
        string path = dir.File("x.npy");
        NpyFile.Write(path, data.Pixels, [3, 1, 28, 28]);
        using var b = BaseCodes.FromFile(vae, path, 10);
        using var x = torch.tensor(data.Pixels, [3, 1, 28, 28]);
        var (mu, logVar) = vae.Encode(x);
        using (mu) using (logVar)
        {
            Assert.Equal(Flat(mu), Flat(b.Codes));
            Assert.Equal(Flat(mu), Flat(b.Centers));
            using var sigma = torch.exp(0.5 * logVar);
            Assert.Equal(Flat(sigma), Flat(b.Scales));
        }
        Assert.Equal("posterior", b.Sigma);
        using var prior = BaseCodes.FromFile(vae, path, 10, posterior: false);
        Assert.All(Flat(prior.Scales), v => Assert.Equal(1f, v));
    }

    [Fact]
    public void TraversalsJob_OnATinyDcgan_OrdersByOutputVarianceAndWritesTheGrid()
    {
        using var dir = new TempDirectory();
        var r = ExplainGeneratorJob.Run(new ExplainGeneratorRequest(TinyCheckpoints.Dcgan, "traversals", dir.File("out"), Count: 3, Seed: 4,
            Options: new Dictionary<string, string> { ["top"] = "5", ["steps"] = "9" }));
        Assert.Equal("variance", r.Summary["order"]);
        var dims = (int[])r.Summary["dimensions"]!;
        var scores = (double[])r.Summary["scores"]!;
        Assert.Equal(5, dims.Length);
        Assert.Equal(dims, LatentTraversal.Order(scores, 5));
        Assert.True(scores[dims[0]] > 0);
        var npy = NpyFile.Read(Path.Combine(r.Folder, "traversals.npy"));
        Assert.Equal([3, 5, 9, 1, 28, 28], npy.Shape);
        Assert.Equal(3, r.Figures.Count);
        Assert.All(r.Figures, f => Assert.True(new FileInfo(Path.Combine(r.Folder, f.File)).Length > 1000));
        Assert.True(File.Exists(Path.Combine(r.Folder, ExplainGeneratorJob.JsonFile)));

        // The rows are the generator's own decodes of the seeded codes.
        var (gen, _) = GeneratorCheckpoint.Load(TinyCheckpoints.Dcgan);
        using (gen)
        {
            using var codes = BaseCodes.FromPrior(gen, 3, 4);
            using var row = LatentTraversal.Decode(gen, codes.Codes[1], codes.Centers[1], codes.Scales[1], dims, new LatentTraversalOptions(9).Offsets());
            var expected = Flat(row);
            var all = npy.ToFloat32();
            int per = 5 * 9 * 784;
            for (int i = 0; i < per; i += 97) Assert.Equal(expected[i], all[per + i], 5);
        }

        var bad = Assert.Throws<GlassboxException>(() => ExplainGeneratorJob.Run(new ExplainGeneratorRequest(TinyCheckpoints.Dcgan, "traversals", dir.File("bad"),
            Options: new Dictionary<string, string> { ["order"] = "kl" })));
        Assert.Contains("order=variance", bad.Message);
    }
}

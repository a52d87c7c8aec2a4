using System.Text.Json;
using Glassbox.App.Generation.Explain;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.Generation;
using Glassbox.Generation.Explain.Counterfactuals;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Tests.Data;
using Glassbox.Tests.IO;
using Glassbox.Tests.Training;
using Glassbox.Training;
using Glassbox.Visualization;
using SkiaSharp;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Generation.Explain;

/// <summary>REVISE, latent shift, the counterfactual metrics, the GIF encoder and --what counterfactual (issue 12).</summary>
[Collection(SerialCollection.Name)]
public class CounterfactualTests
{
    // A linear decoder G(z) = A z from 2 latents to 1×2×2 images; A's columns are orthonormal, so pixel and latent
    // distances agree on the decoder's range.
    private static readonly float[,] A = { { 0.6f, 0f }, { 0.8f, 0f }, { 0f, 0.6f }, { 0f, 0.8f } };

    private static Tensor Decode(Tensor z)
    {
        using var a = torch.tensor(A);
        return z.mm(a.t()).view(-1, 1, 2, 2);
    }

    /// <summary>
    /// Two classes: f₀ = 0 and f₁ = w·x + b with w = k·(0.6, 0.8, −0.6, −0.8) + 3·(0.8, −0.6, 0, 0). The second part
    /// is orthogonal to the decoder's range, so it changes the pixel-space boundary but not the latent one:
    /// through G, f₁(G(z)) = u·z + b with u = Aᵀw = (k, −k).
    /// </summary>
    private static ImageClassifier LinearTwoClass(float k, float b)
    {
        var lin = nn.Linear(4, 2);
        using (torch.no_grad())
        {
            lin.weight!.copy_(torch.tensor(new float[,] { { 0, 0, 0, 0 }, { 0.6f * k + 2.4f, 0.8f * k - 1.8f, -0.6f * k, -0.8f * k } }));
            lin.bias!.copy_(torch.tensor(new[] { 0f, b }));
        }
        return new ImageClassifier(new ModelInfo("custom", 1, 2, 2, ["0", "1"]), nn.Sequential(nn.Flatten(), lin));
    }

    private static float[] Flat(Tensor t) { using var c = t.detach().cpu().to_type(ScalarType.Float32).contiguous(); return c.data<float>().ToArray(); }

    [Fact]
    public void Revise_OnLinearDecoderAndClassifier_StopsAtTheMinimalDistanceCrossing()
    {
        // u = (2, −2), b = −1: the target side is 2z₁ − 2z₂ > 1. From z0 = (−0.5, 0.25) the closest target code is
        // the projection z* = z0 − (u·z0 + b)/‖u‖² · u = (0.125, −0.375) at distance |u·z0 + b|/‖u‖ = 2.5/√8.
        using var f = LinearTwoClass(2f, -1f);
        using var z0 = torch.tensor(new float[,] { { -0.5f, 0.25f }, { 1f, -1f } });
        using var x = Decode(z0);
        const double lr = 0.005;
        using var s = new Revise(new ReviseOptions(Lambda: 0.01, Steps: 2000, LearningRate: lr)).Search(Decode, f, z0, x, [1, 1]);

        Assert.Equal([true, true], s.Reached);
        var z = Flat(s.Latents);
        double[] expected = [0.125, -0.375];
        double err = Math.Sqrt(Math.Pow(z[0] - expected[0], 2) + Math.Pow(z[1] - expected[1], 2));
        // Adam moves each coordinate by at most ≈ lr per step, so the first code past the boundary lies within one step of it.
        Assert.True(err <= 2 * lr * Math.Sqrt(2), $"REVISE stopped at ({z[0]}, {z[1]}), {err} from the projection {expected[0]}, {expected[1]}");
        Assert.True(s.Steps[0] > 100, $"{s.Steps[0]} steps");
        double l2 = CounterfactualMetrics.L2(s.Images.narrow(0, 0, 1), x.narrow(0, 0, 1))[0];
        Assert.InRange(l2, 2.5 / Math.Sqrt(8), 2.5 / Math.Sqrt(8) + 2 * lr * Math.Sqrt(2));

        // A row already of the target class is returned unchanged after 0 steps.
        Assert.Equal(0, s.Steps[1]);
        Assert.Equal([1f, -1f], z[2..4]);
        Assert.Equal(CounterfactualMetrics.Validity(f, s.Images, [1, 1]), s.Reached);
    }

    [Fact]
    public void Revise_WithConfidence_StopsWherePTargetFirstReachesIt()
    {
        // p(1) = σ(f₁ − f₀) ≥ 0.9 ⇔ 2z₁ − 2z₂ − 1 ≥ ln 9; each Adam step changes that logit by at most ≈ 4·lr.
        using var f = LinearTwoClass(2f, -1f);
        using var z0 = torch.tensor(new float[,] { { -0.5f, 0.25f } });
        using var x = Decode(z0);
        const double lr = 0.005;
        using var s = new Revise(new ReviseOptions(Steps: 4000, LearningRate: lr, Confidence: 0.9)).Search(Decode, f, z0, x, [1]);
        Assert.True(s.Reached[0]);
        var z = Flat(s.Latents);
        double logit = 2 * z[0] - 2 * z[1] - 1;
        Assert.InRange(logit, Math.Log(9) - 1e-5, Math.Log(9) + 5 * lr);
        Assert.Throws<GlassboxException>(() => new ReviseOptions(Confidence: 1).Validate());
    }

    [Fact]
    public void Revise_GivesUp_AfterItsStepsAndSaysSo()
    {
        using var f = LinearTwoClass(2f, -1f);
        using var z0 = torch.tensor(new float[,] { { -0.5f, 0.25f } });
        using var x = Decode(z0);
        using var s = new Revise(new ReviseOptions(Steps: 3, LearningRate: 0.01)).Search(Decode, f, z0, x, [1]);
        Assert.Equal([false], s.Reached);
        Assert.Equal([3], s.Steps);
        Assert.Equal([false], CounterfactualMetrics.Validity(f, s.Images, [1]));
    }

    [Fact]
    public void LatentShift_OnLinearCase_FlipsAtTheFirstStepPastTheBoundary_WithFramesMonotoneInTheTargetLogit()
    {
        using var f = LinearTwoClass(2f, -1f);
        using var z0 = torch.tensor(new float[,] { { -0.5f, 0.25f } });
        using var x = Decode(z0);
        var options = new LatentShiftOptions(Step: 0.01, MaxShift: 5, Frames: 7);
        using var r = new LatentShift(options).Search(Decode, f, z0, x, [1], [0]);

        // The gradient of log p(1) through G is along u = (2, −2): the unit direction is (1, −1)/√2.
        Assert.Equal([(float)(1 / Math.Sqrt(2)), (float)(-1 / Math.Sqrt(2))], Flat(r.Directions), new FloatTolerance(1e-5f));
        double crossing = 2.5 / Math.Sqrt(8);
        Assert.True(r.Search.Reached[0]);
        Assert.InRange(r.Lambdas[0], crossing, crossing + options.Step + 1e-6);
        Assert.Equal((int)Math.Round(r.Lambdas[0] / options.Step), r.Search.Steps[0]);
        Assert.Equal([true], CounterfactualMetrics.Validity(f, r.Search.Images, [1]));

        Assert.Equal([1L, 7, 1, 2, 2], r.Frames.shape);
        var logits = r.FrameTargetLogits[0];
        for (int j = 1; j < logits.Length; j++) Assert.True(logits[j] > logits[j - 1], $"target logits {string.Join(", ", logits)}");
        Assert.Equal(-2.5, logits[0], 4); // the first frame is G(z0): u·z0 + b
        Assert.True(logits[^1] > 0);      // the last is past the boundary f₁ = f₀ = 0
        Assert.Equal(Flat(x), Flat(r.Frames.select(1, 0)), new FloatTolerance(1e-6f));

        // Moving away from the original class gives the same direction here (two classes).
        using var away = new LatentShift(options with { Objective = LatentShiftObjective.Original }).Search(Decode, f, z0, x, [1], [0]);
        Assert.Equal(Flat(r.Directions), Flat(away.Directions), new FloatTolerance(1e-5f));
    }

    [Fact]
    public void Metrics_MatchTheirDefinitions_OnHandCases()
    {
        using var cf = torch.tensor(new float[] { 1, 1, 1, 1, 0, 0, 0, 0 }, [2, 1, 2, 2]);
        using var x = torch.tensor(new float[] { 0.5f, 1, 1, 0, 0, 0, 0, 0 }, [2, 1, 2, 2]);
        Assert.Equal([1.5, 0], CounterfactualMetrics.L1(cf, x));
        Assert.Equal([Math.Sqrt(1.25), 0], CounterfactualMetrics.L2(cf, x));
        using var za = torch.tensor(new float[,] { { 3, 4 }, { 1, 1 } });
        using var zb = torch.zeros(2, 2);
        Assert.Equal([5.0, Math.Sqrt(2)], CounterfactualMetrics.LatentDistance(za, zb), new DoubleTolerance(1e-6));

        // IM1 = ‖x′ − AE_t(x′)‖² / (‖x′ − AE_o(x′)‖² + ε): 4·0.1² / 4·0.2² = 0.25.
        using var byTarget = cf - 0.1f;
        using var byOriginal = cf + 0.2f;
        var im1 = Im1.Score(cf, byTarget, byOriginal);
        Assert.Equal(0.25, im1[0], 5);
        Assert.Equal(0.25, im1[1], 5);
        Assert.Throws<GlassboxException>(() => Im1.Score(cf, byTarget.narrow(0, 0, 1), byOriginal));

        // Validity: the arg-max equals the target (f₁ = 2z₁ − 2z₂ − 1 through G).
        using var f = LinearTwoClass(2f, -1f);
        using var codes = torch.tensor(new float[,] { { 1f, 0f }, { 0f, 0f } });
        using var images = Decode(codes);
        Assert.Equal([true, false], CounterfactualMetrics.Validity(f, images, [1, 1]));
        Assert.Equal([false, true], CounterfactualMetrics.Validity(f, images, [0, 0]));
    }

    [Fact]
    public void Im1_WithPerClassAutoencoders_PrefersTheImagesOwnClass()
    {
        var train = SampleData.Train;
        Tensor Of(int c, int take)
        {
            var s = train.Subset(Enumerable.Range(0, train.Count).Where(i => train.Labels[i] == c).Take(take).ToArray());
            return torch.tensor(s.Pixels, [s.Count, 1, 28, 28]);
        }
        using var ones = Of(1, 200);
        using var zeros = Of(0, 200);
        var o = new ClassAutoencoderOptions(Epochs: 15);
        using var ae1 = ClassAutoencoder.Train(ones.narrow(0, 0, 160), 1, o);
        using var ae0 = ClassAutoencoder.Train(zeros.narrow(0, 0, 160), 2, o);
        using var heldOutOnes = ones.narrow(0, 160, 40);
        using var heldOutZeros = zeros.narrow(0, 160, 40);
        using var noGrad = torch.no_grad();
        // A held-out "1" is a plausible counterfactual for target 1 from original 0 (IM1 < 1), and a "0" is not.
        var forOnes = Im1.Score(heldOutOnes, ae1.forward(heldOutOnes), ae0.forward(heldOutOnes));
        var forZeros = Im1.Score(heldOutZeros, ae1.forward(heldOutZeros), ae0.forward(heldOutZeros));
        Assert.True(forOnes.Average() < 1, $"IM1 of held-out ones: {forOnes.Average()}");
        Assert.True(forZeros.Average() > 1, $"IM1 of held-out zeros: {forZeros.Average()}");
    }

    [Theory]
    [InlineData(1, 5, 7, 3, 1)]
    [InlineData(3, 4, 6, 2, 2)]
    [InlineData(1, 64, 64, 2, 1)] // enough distinct codes to fill the 4096-entry table and clear it
    public void Gif_RoundTrips_FrameByFrame_ThroughSkiaSharp(int channels, int height, int width, int frames, int scale)
    {
        var rng = new Random(height * 31 + channels);
        var list = Enumerable.Range(0, frames).Select(_ => Enumerable.Range(0, channels * height * width).Select(_ => (float)rng.NextDouble()).ToArray()).ToList();
        byte[] gif = GifImage.FromFrames(list, channels, height, width, scale, delayCentiseconds: 7, lastDelayCentiseconds: 50);

        using var data = SKData.CreateCopy(gif);
        using var codec = SKCodec.Create(data);
        Assert.NotNull(codec);
        Assert.Equal(SKEncodedImageFormat.Gif, codec.EncodedFormat);
        Assert.Equal(frames, codec.FrameCount);
        Assert.Equal(-1, codec.RepetitionCount); // Skia's "repeat forever"
        Assert.Equal(width * scale, codec.Info.Width);
        Assert.Equal(height * scale, codec.Info.Height);
        var info = new SKImageInfo(width * scale, height * scale, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        int plane = height * width;
        for (int k = 0; k < frames; k++)
        {
            Assert.Equal(k == frames - 1 ? 500 : 70, codec.FrameInfo[k].Duration);
            using var bitmap = new SKBitmap(info);
            Assert.Equal(SKCodecResult.Success, codec.GetPixels(info, bitmap.GetPixels(), new SKCodecOptions(k)));
            for (int y = 0; y < height * scale; y++)
                for (int x = 0; x < width * scale; x++)
                {
                    int p = y / scale * width + x / scale;
                    var f = list[k];
                    var want = channels == 1 ? GifImage.Quantised(f[p], f[p], f[p], 1) : GifImage.Quantised(f[p], f[plane + p], f[2 * plane + p], 3);
                    var got = bitmap.GetPixel(x, y);
                    Assert.True(got.Red == want.R && got.Green == want.G && got.Blue == want.B, $"frame {k} pixel ({x}, {y}): {got} vs {want}");
                }
        }
        // Gray values are kept to 8 bits.
        Assert.Equal((128, 128, 128), ((int, int, int))GifImage.Quantised(128 / 255f, 0, 0, 1));
    }

    [Fact]
    public void LargeRuns_AreSearchedInChunks_AndReassembledInOrder()
    {
        var calls = new List<(int Start, int Length)>();
        int n = 2 * CounterfactualExplanation.Chunk + 5;
        using var merged = CounterfactualExplanation.Chunked(n, (start, len) =>
        {
            calls.Add((start, len));
            var codes = torch.arange(start, start + len, ScalarType.Float32).unsqueeze(1);
            return new CounterfactualSearch(codes, codes.view(-1, 1, 1, 1).clone(), Enumerable.Range(start, len).Select(i => i % 2 == 0).ToArray(),
                Enumerable.Range(start, len).ToArray(), 1.0);
        });
        Assert.Equal([(0, 128), (128, 128), (256, 5)], calls);
        Assert.Equal(Enumerable.Range(0, n).Select(i => (float)i), Flat(merged.Latents));
        Assert.Equal(Enumerable.Range(0, n).ToArray(), merged.Steps);
        Assert.Equal(Enumerable.Range(0, n).Select(i => i % 2 == 0), merged.Reached);
        Assert.Equal(3.0, merged.Seconds);
    }

    [Fact]
    public void BadInputs_GetOneClearLine()
    {
        using var f = LinearTwoClass(2f, -1f);
        using var z0 = torch.zeros(1, 2);
        using var x = Decode(z0);
        var e = Assert.Throws<GlassboxException>(() => new Revise().Search(Decode, f, z0, x, [2]));
        Assert.Contains("Target class 2", e.Message);
        Assert.Throws<GlassboxException>(() => new LatentShift().Search(Decode, f, z0, x, [5], [0]));
        Assert.Throws<GlassboxException>(() => new Revise().Search(Decode, f, z0, x, [1, 1]));
        Assert.Throws<GlassboxException>(() => new ReviseOptions(Lambda: -1).Validate());
        Assert.Throws<GlassboxException>(() => new LatentShiftOptions(Frames: 1).Validate());
    }

    // ---- --what counterfactual through ExplainGeneratorJob ----

    private static readonly Lazy<(string Vae, string Gan, string Classifier, string Oracle)> Models = new(() =>
    {
        string root = Path.Combine(Path.GetTempPath(), "gb-cf-" + Guid.NewGuid().ToString("N"));
        var data = SampleData.Train.Take(256);
        string vaeDir = Path.Combine(root, "vae"), ganDir = Path.Combine(root, "gan");
        using (var vae = new Vae(new VaeOptions(LatentSize: 8), 3))
            GeneratorCheckpoint.Save(vaeDir, vae, new GeneratorTrainer(new GeneratorTrainingOptions(Epochs: 1, BatchSize: 64, Seed: 1)).Train(vae, data));
        using (var gan = new Dcgan(new DcganOptions(), 3))
            GeneratorCheckpoint.Save(ganDir, gan, new GeneratorTrainer(new GeneratorTrainingOptions(Epochs: 1, BatchSize: 64)).Train(gan, data.Take(64)));
        string Classifier(string name, int seed, int skip)
        {
            torch.manual_seed(seed);
            using var model = new ImageClassifier(new ModelInfo(Architecture.ReferenceCnn, 1, 28, 28, MnistFormat.DigitClassNames));
            var h = new Trainer(new TrainingOptions(Epochs: 1, BatchSize: 64, Seed: seed)).Train(model, SampleData.Train.Subset(Enumerable.Range(skip, 256).ToArray()), null);
            string dir = Path.Combine(root, name);
            Checkpoint.Save(dir, model, h);
            return dir;
        }
        return (vaeDir, ganDir, Classifier("cls", 0, 0), Classifier("oracle", 1, 1000));
    });

    private static readonly Dictionary<string, string> Quick = new() { ["steps"] = "40", ["im1-epochs"] = "1", ["frames"] = "4", ["shift-step"] = "0.5" };

    [Fact]
    public void Job_RunsRevisesAndShifts_WritesTheTableStripsAndGif()
    {
        var m = Models.Value;
        using var dir = new TempDirectory();
        string output = dir.File("cf");
        var options = new Dictionary<string, string>(Quick) { ["oracle"] = m.Oracle };
        var result = ExplainGeneratorJob.Run(new ExplainGeneratorRequest(m.Vae, "counterfactual", output, m.Classifier, RepoPaths.MnistSample,
            Count: 2, Seed: 1, Options: options));

        Assert.Equal(["counterfactual-revise.png", "counterfactual-shift.png", "counterfactual-shift.gif"], result.Figures.Select(f => f.File));
        foreach (string file in result.Files) Assert.True(File.Exists(Path.Combine(output, file)), file);
        var lines = File.ReadAllLines(Path.Combine(output, CounterfactualExplanation.TableCsv));
        Assert.Equal(1 + 2 * 2, lines.Length);
        Assert.StartsWith("index,label,original,target,method", lines[0]);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        foreach (var r in rows)
        {
            Assert.NotEqual(r[2], r[3]); // the target is another class than the classifier's call
            Assert.True(r[9] is "0" or "1", "oracle validity is measured");
            if (r[5] == "1") Assert.Equal("1", r[8]); // reached ⇒ valid under the explained classifier
            Assert.True(double.Parse(r[13], System.Globalization.CultureInfo.InvariantCulture) > 0);
        }
        var shots = NpyFile.Read(Path.Combine(output, "counterfactual-shift-frames.npy"));
        Assert.Equal([2, 4, 1, 28, 28], shots.Shape);
        using var codec = SKCodec.Create(Path.Combine(output, "counterfactual-shift.gif"));
        Assert.Equal(4, codec.FrameCount);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, ExplainGeneratorJob.JsonFile)));
        var summary = json.RootElement.GetProperty("summary");
        Assert.Equal(2, summary.GetProperty("images").GetInt32());
        var revise = summary.GetProperty("revise");
        Assert.InRange(revise.GetProperty("validity").GetDouble(), 0, 1);
        Assert.Equal(JsonValueKind.Number, revise.GetProperty("oracleValidity").ValueKind);
        Assert.True(revise.GetProperty("secondsPerCounterfactual").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Object, summary.GetProperty("latentShift").ValueKind);
    }

    [Fact]
    public void Job_RefusesBadInputs_WithOneClearLine()
    {
        var m = Models.Value;
        using var dir = new TempDirectory();
        GlassboxException Fails(ExplainGeneratorRequest r) => Assert.Throws<GlassboxException>(() => ExplainGeneratorJob.Run(r));

        var e = Fails(new ExplainGeneratorRequest(m.Vae, "counterfactual", dir.File("a"), m.Classifier, RepoPaths.MnistSample, Target: 12, Options: Quick));
        Assert.Contains("--target 12 is not a class", e.Message);
        e = Fails(new ExplainGeneratorRequest(m.Gan, "counterfactual", dir.File("b"), m.Classifier, RepoPaths.MnistSample, Options: Quick));
        Assert.Contains("needs an encoder", e.Message);
        Assert.Contains("dcgan", e.Message);
        string npy = dir.File("small.npy");
        NpyFile.Write(npy, new float[2 * 20 * 20], [2, 1, 20, 20]);
        e = Fails(new ExplainGeneratorRequest(m.Vae, "counterfactual", dir.File("c"), m.Classifier, RepoPaths.MnistSample, Input: npy, Options: Quick));
        Assert.Contains("N×1×28×28", e.Message);
        e = Fails(new ExplainGeneratorRequest(m.Vae, "counterfactual", dir.File("d"), m.Classifier, RepoPaths.MnistSample,
            Options: new Dictionary<string, string> { ["oracle"] = dir.File("missing") }));
        Assert.Contains("oracle", e.Message);
        e = Fails(new ExplainGeneratorRequest(m.Vae, "counterfactual", dir.File("e"), null, RepoPaths.MnistSample));
        Assert.Contains("--classifier", e.Message);
        Assert.All(new[] { "a", "b", "c", "d", "e" }, f => Assert.False(Directory.Exists(dir.File(f))));
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(float v) => 0;
    }

    private sealed class DoubleTolerance(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(double v) => 0;
    }
}

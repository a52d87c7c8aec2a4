using System.Text.Json;
using Glassbox.App.Generation.Explain;
using Glassbox.Data;
using Glassbox.Generation;
using Glassbox.Generation.Explain.Directions;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Tests.IO;
using Glassbox.Tests.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Generation.Explain;

/// <summary>GANSpace, SeFa, InterFaceGAN and edit specificity against their definitions (issue 12, explanation 3).</summary>
public class DirectionsTests
{
    /// <summary>Eigenpairs of a symmetric matrix by cyclic Jacobi rotations, largest first: independent of libtorch's eigh.</summary>
    private static (double[] Values, double[][] Vectors) Jacobi(double[,] input)
    {
        int n = input.GetLength(0);
        var a = (double[,])input.Clone();
        var v = new double[n, n];
        for (int i = 0; i < n; i++) v[i, i] = 1;
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0;
            for (int p = 0; p < n; p++) for (int q = p + 1; q < n; q++) off += a[p, q] * a[p, q];
            if (off < 1e-26) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    if (Math.Abs(a[p, q]) < 1e-300) continue;
                    double theta = (a[q, q] - a[p, p]) / (2 * a[p, q]);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = a[k, p], akq = a[k, q];
                        a[k, p] = c * akp - s * akq;
                        a[k, q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = a[p, k], aqk = a[q, k];
                        a[p, k] = c * apk - s * aqk;
                        a[q, k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double vkp = v[k, p], vkq = v[k, q];
                        v[k, p] = c * vkp - s * vkq;
                        v[k, q] = s * vkp + c * vkq;
                    }
                }
        }
        var order = Enumerable.Range(0, n).OrderByDescending(i => a[i, i]).ToArray();
        return (order.Select(i => a[i, i]).ToArray(), order.Select(i => Enumerable.Range(0, n).Select(k => v[k, i]).ToArray()).ToArray());
    }

    private static double AbsCosine(double[] a, double[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++) { dot += a[i] * b[i]; na += a[i] * a[i]; nb += b[i] * b[i]; }
        return Math.Abs(dot) / Math.Sqrt(na * nb);
    }

    private static double[][] RandomMatrix(int rows, int cols, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, rows).Select(_ => Enumerable.Range(0, cols).Select(_ => rng.NextDouble() * 2 - 1).ToArray()).ToArray();
    }

    private static double[,] Gram(IReadOnlyList<double[]> rows)
    {
        int l = rows[0].Length;
        var g = new double[l, l];
        foreach (var r in rows) for (int i = 0; i < l; i++) for (int j = 0; j < l; j++) g[i, j] += r[i] * r[j];
        return g;
    }

    private static double[,] Covariance(double[][] samples)
    {
        int n = samples.Length, d = samples[0].Length;
        var mean = Enumerable.Range(0, d).Select(j => samples.Average(s => s[j])).ToArray();
        var c = new double[d, d];
        foreach (var s in samples)
            for (int i = 0; i < d; i++) for (int j = 0; j < d; j++) c[i, j] += (s[i] - mean[i]) * (s[j] - mean[j]) / (n - 1);
        return c;
    }

    private static double[][] Rows(Tensor t)
    {
        using var c = t.detach().cpu().to_type(ScalarType.Float64).contiguous();
        int cols = (int)c.shape[1];
        var flat = c.data<double>().ToArray();
        return Enumerable.Range(0, (int)c.shape[0]).Select(r => flat[(r * cols)..((r + 1) * cols)]).ToArray();
    }

    [Fact]
    public void Sefa_Directions_AreTheKnownEigenvectorsOfWtW_ForAHandSetWeight()
    {
        // W = D·Rᵀ with D = diag(3, 2, 1) over a 4-unit layer and R a rotation: WᵀW = R·diag(9, 4, 1)·Rᵀ.
        double c = Math.Cos(0.7), s = Math.Sin(0.7);
        double[][] r = [[c, -s, 0], [s, c, 0], [0, 0, 1]]; // columns of R are the eigenvectors
        double[] d = [3, 2, 1];
        var w = new double[4][];
        for (int u = 0; u < 3; u++) w[u] = Enumerable.Range(0, 3).Select(j => d[u] * r[j][u]).ToArray();
        w[3] = [0, 0, 0];
        var layer = FirstLayer.FromWeights(w, [0, 0, 0, 0]);
        var sefa = Sefa.Compute(layer, new SefaOptions(3, NormalizeUnits: false));
        Assert.Equal([9, 4, 1], sefa.Scores.Select(v => Math.Round(v, 9)));
        for (int k = 0; k < 3; k++)
        {
            var column = Enumerable.Range(0, 3).Select(j => r[j][k]).ToArray();
            Assert.True(AbsCosine(sefa.Vectors[k], column) > 1 - 1e-9, $"direction {k}");
            Assert.Equal(1, Math.Sqrt(sefa.Vectors[k].Sum(v => v * v)), 9);
        }
    }

    [Fact]
    public void Sefa_WithUnitNormalisedRows_EqualsAnIndependentEigenDecomposition()
    {
        var w = RandomMatrix(12, 5, 3);
        var sefa = Sefa.Compute(FirstLayer.FromWeights(w, new double[12]), new SefaOptions(3));
        var normalised = w.Select(row => { double n = Math.Sqrt(row.Sum(v => v * v)); return row.Select(v => v / n).ToArray(); }).ToList();
        var (values, vectors) = Jacobi(Gram(normalised));
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(values[k], sefa.Scores[k], 9);
            Assert.True(AbsCosine(sefa.Vectors[k], vectors[k]) > 1 - 1e-8, $"direction {k}");
        }
        // The normalisation matters: without it the leading direction differs.
        var raw = Sefa.Compute(FirstLayer.FromWeights(w, new double[12]), new SefaOptions(1, NormalizeUnits: false));
        var (_, rawVectors) = Jacobi(Gram(w));
        Assert.True(AbsCosine(raw.Vectors[0], rawVectors[0]) > 1 - 1e-8);
    }

    [Theory]
    [InlineData(400, 6)]  // more samples than features: covariance route
    [InlineData(15, 40)]  // fewer samples than features: Gram route
    public void GanSpace_Components_EqualThePcaOfTheSampledActivations(int samples, int units)
    {
        var layer = FirstLayer.FromWeights(RandomMatrix(units, 4, 5), RandomMatrix(1, units, 6)[0]);
        using var g = new torch.Generator(11);
        using var z = torch.randn([samples, 4], ScalarType.Float64, generator: g);
        using var y = layer.Activations(z);
        var result = GanSpace.Decompose(y, z, new GanSpaceOptions(3, samples));

        var ys = Rows(y);
        var (values, vectors) = Jacobi(Covariance(ys));
        double trace = Enumerable.Range(0, units).Sum(i => Covariance(ys)[i, i]);
        Assert.Equal(trace, result.TotalVariance, 9);
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(values[k], result.Variances[k], 8);
            Assert.Equal(values[k] / trace, result.ExplainedVarianceRatio[k], 9);
            Assert.True(AbsCosine(result.Components[k], vectors[k]) > 1 - 1e-7, $"component {k}");
        }

        // Latent directions: the regression of z on the PCA coordinates x_k = (y − ȳ)·v_k, u_k = Σ z x_k / Σ x_k².
        var zs = Rows(z);
        var mean = Enumerable.Range(0, units).Select(j => ys.Average(r => r[j])).ToArray();
        for (int k = 0; k < 3; k++)
        {
            var x = ys.Select(r => r.Select((v, j) => (v - mean[j]) * result.Components[k][j]).Sum()).ToArray();
            var u = Enumerable.Range(0, 4).Select(j => zs.Select((zi, i) => zi[j] * x[i]).Sum()).ToArray();
            Assert.True(AbsCosine(result.Directions.Vectors[k], u) > 1 - 1e-9, $"latent direction {k}");
        }
    }

    [Fact]
    public void GanSpace_OnLatents_IsThePcaOfTheCodes()
    {
        using var g = new torch.Generator(2);
        using var raw = torch.randn([500, 3], ScalarType.Float64, generator: g);
        using var scale = torch.tensor(new double[] { 3, 1, 0.2 }, ScalarType.Float64);
        using var z = raw * scale;
        var result = GanSpace.Decompose(z, z, new GanSpaceOptions(2, 500, GanSpaceSpace.Latents));
        Assert.True(AbsCosine(result.Directions.Vectors[0], [1, 0, 0]) > 0.99);
        Assert.True(AbsCosine(result.Directions.Vectors[1], [0, 1, 0]) > 0.99);
        Assert.True(result.ExplainedVarianceRatio[0] > 0.85);
    }

    [Fact]
    public void InterFaceGan_RecoversAPlantedLinearBoundary()
    {
        double[] truth = [0.5, -1, 0.25, 2, 0, 0, -0.75, 1];
        double norm = Math.Sqrt(truth.Sum(v => v * v));
        using var g = new torch.Generator(4);
        using var z = torch.randn([2000, 8], ScalarType.Float64, generator: g);
        var rng = new Random(1);
        var scores = Rows(z).Select(r => r.Select((v, i) => v * truth[i]).Sum() + 0.3 * (rng.NextDouble() - 0.5)).ToList();
        var fit = InterFaceGan.Fit(z, scores);
        double cosine = fit.Direction.Vectors[0].Select((v, i) => v * truth[i] / norm).Sum();
        Assert.True(cosine > 0.95, $"cosine {cosine}");
        Assert.True(fit.HeldOutAccuracy > 0.95, $"held-out accuracy {fit.HeldOutAccuracy}");
        Assert.Equal(2 * 400, fit.TrainCount + fit.HeldOutCount);
        Assert.Equal(560, fit.TrainCount);
    }

    [Fact]
    public void InterFaceGan_LogisticFit_IsAtTheRegularisedOptimum()
    {
        // At the optimum the gradient of ½‖w‖² + C·Σ log-loss vanishes: w = C·Σ (y − p)·x and Σ (y − p) = 0.
        var x = RandomMatrix(60, 3, 9);
        var y = x.Select((r, i) => r[0] - r[1] + (i % 7 == 0 ? 1.5 : 0) > 0 ? 1.0 : 0.0).ToList();
        var options = new InterFaceGanOptions(C: 2);
        var (w, b, _) = InterFaceGan.Logistic(x, y, options);
        var residual = x.Select((r, i) => y[i] - 1 / (1 + Math.Exp(-(r.Select((v, j) => v * w[j]).Sum() + b)))).ToArray();
        for (int j = 0; j < 3; j++) Assert.Equal(w[j], options.C * residual.Select((e, i) => e * x[i][j]).Sum(), 8);
        Assert.Equal(0, residual.Sum(), 8);
    }

    [Fact]
    public void InterFaceGan_LogOdds_IsLogPOverOneMinusP()
    {
        using var logits = torch.tensor(new float[] { 1, 2, 0.5f, -1, 0, 3 }, [2, 3]);
        var odds = InterFaceGan.LogOdds(logits, 1);
        double p0 = Math.Exp(2) / (Math.Exp(1) + Math.Exp(2) + Math.Exp(0.5));
        double p1 = 1 / (Math.Exp(-1) + 1 + Math.Exp(3));
        Assert.Equal(Math.Log(p0 / (1 - p0)), odds[0], 6);
        Assert.Equal(Math.Log(p1 / (1 - p1)), odds[1], 6);
        Assert.Throws<GlassboxException>(() => InterFaceGan.LogOdds(logits, 3));
    }

    /// <summary>
    /// A hand-made decoder and classifier: pixel k = tanh(z_k) for k &lt; 4 (z_4, z_5 unused); class k's logit is
    /// 4·pixel k. Moving along e_0 changes only class 0's evidence.
    /// </summary>
    private static Tensor Decode(Tensor z) => torch.tanh(z.narrow(1, 0, 4)).reshape(z.shape[0], 1, 2, 2);

    private static Tensor Classify(Tensor images) => torch.softmax(4 * images.reshape(images.shape[0], 4), 1);

    [Fact]
    public void EditSpecificity_OfAPlantedClassDirection_BeatsRandomDirections()
    {
        using var g = new torch.Generator(8);
        using var codes = torch.randn([40, 6], generator: g);
        var planted = EditSpecificity.Measure(Decode, Classify, codes, [1, 0, 0, 0, 0, 0], 0);
        var random = RandomDirections.Draw(10, 6, 3).Vectors.Select(v => EditSpecificity.Measure(Decode, Classify, codes, v, 0)).ToList();

        Assert.Equal(3, planted.BestAlpha);
        Assert.Equal(0, planted.BestClass);
        Assert.True(planted.Specificity <= 0.75 + 1e-6, $"above the (K−1)/K ceiling (float32 probabilities): {planted.Specificity}");
        Assert.True(planted.Specificity > 0.7, $"planted {planted.Specificity}");
        Assert.All(random, r => Assert.True(planted.Specificity > r.Specificity, $"planted {planted.Specificity} vs random {r.Specificity}"));
        // The opposite sign gives the same specificity: the best α is found on either side.
        var flipped = EditSpecificity.Measure(Decode, Classify, codes, [-1, 0, 0, 0, 0, 0], 0);
        Assert.Equal(-3, flipped.BestAlpha);
        Assert.Equal(planted.Specificity, flipped.Specificity, 6);
        // A direction the decoder ignores changes nothing: specificity 0, no image variance.
        var unused = EditSpecificity.Measure(Decode, Classify, codes, [0, 0, 0, 0, 0, 1], 0);
        Assert.Equal(0, unused.Specificity);
        Assert.Equal(0, unused.ImageVariance, 12);
    }

    [Fact]
    public void EditSpecificity_Numbers_FollowTheirDefinition()
    {
        using var codes = torch.tensor(new float[] { 0.1f, -0.2f, 0.3f, 0, 0, 0, -0.5f, 0.4f, 0, 0.2f, 0, 0 }, [2, 6]);
        double[] dir = [0.6, 0.8, 0, 0, 0, 0];
        var result = EditSpecificity.Measure(Decode, Classify, codes, dir, 1, new EditSpecificityOptions(2, 5));
        Assert.Equal([-2, -1, 0, 1, 2], result.Alphas);
        Assert.Equal(0, result.TargetChange[2], 12);

        double[] P(double[] z)
        {
            var logits = Enumerable.Range(0, 4).Select(k => 4 * Math.Tanh(z[k])).ToArray();
            double sum = logits.Sum(Math.Exp);
            return logits.Select(l => Math.Exp(l) / sum).ToArray();
        }
        double[][] zs = [[0.1, -0.2, 0.3, 0, 0, 0], [-0.5, 0.4, 0, 0.2, 0, 0]];
        for (int s = 0; s < 5; s++)
        {
            double a = result.Alphas[s], target = 0, others = 0;
            foreach (var z in zs)
            {
                var p0 = P(z);
                var p1 = P(z.Select((v, i) => v + a * dir[i]).ToArray());
                target += (p1[1] - p0[1]) / 2;
                others += Enumerable.Range(0, 4).Where(k => k != 1).Sum(k => Math.Abs(p1[k] - p0[k])) / 3 / 2;
            }
            Assert.Equal(target, result.TargetChange[s], 5);
            Assert.Equal(others, result.OthersChange[s], 5);
        }
        int best = Array.IndexOf(result.Alphas, result.BestAlpha);
        Assert.Equal(result.TargetChange.Max(), result.TargetChange[best], 12);
        Assert.Equal(result.TargetGain / (result.TargetGain + result.OthersAtBest), result.Specificity, 12);
    }

    [Fact]
    public void FirstLayer_OfAConditionalVae_FoldsTheClassIntoTheBias()
    {
        using var cvae = new Vae(new VaeOptions(LatentSize: 3, ClassNames: MnistFormat.DigitClassNames), 1);
        var layer = FirstLayer.Of(cvae, 4);
        var p = cvae.named_parameters().ToDictionary(x => x.name, x => x.parameter);
        var w = Rows(p["decoder_input.weight"]);
        var b = p["decoder_input.bias"].to_type(ScalarType.Float64).data<double>().ToArray();
        using var z = torch.tensor(new double[] { 0.5, -1, 2 }, [1, 3]);
        var act = Rows(layer.Activations(z))[0];
        for (int u = 0; u < w.Length; u += 97)
            Assert.Equal(Math.Max(0, 0.5 * w[u][0] - w[u][1] + 2 * w[u][2] + w[u][3 + 4] + b[u]), act[u], 5);
        Assert.Throws<GlassboxException>(() => FirstLayer.Of(cvae));
        Assert.Equal("decoder_input", layer.Name);
    }
}

/// <summary><c>explain-generator --what directions</c> end to end on a tiny trained VAE and an untrained classifier.</summary>
[Collection(SerialCollection.Name)]
public class DirectionsJobTests
{
    private static string TinyVae(TempDirectory dir)
    {
        string folder = dir.File("vae");
        using var vae = new Vae(new VaeOptions(LatentSize: 4), seed: 3);
        var history = new GeneratorTrainer(new GeneratorTrainingOptions(Epochs: 1, BatchSize: 32, Seed: 1)).Train(vae, SampleData.Train.Take(64));
        GeneratorCheckpoint.Save(folder, vae, history);
        return folder;
    }

    private static string Classifier(TempDirectory dir)
    {
        string folder = dir.File("clf");
        torch.manual_seed(1);
        using var model = new ImageClassifier(new ModelInfo(Architecture.PooledCnn, 1, 28, 28, MnistFormat.DigitClassNames));
        Glassbox.Checkpoints.Checkpoint.Save(folder, model);
        return folder;
    }

    [Fact]
    public void ExplainGeneratorJob_Directions_WritesStripsChartDirectionsAndNumbers()
    {
        using var dir = new TempDirectory();
        var options = new Dictionary<string, string> { ["count"] = "2", ["samples"] = "200", ["random"] = "3", ["strip-codes"] = "2" };
        var request = new ExplainGeneratorRequest(TinyVae(dir), "directions", dir.File("out"), Classifier(dir), Count: 6, Seed: 2, Target: 3, Options: options);
        var result = ExplainGeneratorJob.Run(request);
        string output = dir.File("out");

        Assert.Equal(["strips_ganspace.png", "strips_sefa.png", "strips_interfacegan.png", "specificity.png"], result.Figures.Select(f => f.File));
        foreach (var (method, rows) in new[] { ("ganspace", 2), ("sefa", 2), ("interfacegan", 1), ("random", 3) })
        {
            var v = NpyFile.ReadFloat32(Path.Combine(output, $"directions_{method}.npy"), out int[] shape);
            Assert.Equal([rows, 4], shape);
            for (int r = 0; r < rows; r++) Assert.Equal(1, Math.Sqrt(v.Skip(4 * r).Take(4).Sum(x => (double)x * x)), 5);
        }
        foreach (var f in result.Figures) Assert.True(new FileInfo(Path.Combine(output, f.File)).Length > 100, f.File);

        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, ExplainGeneratorJob.JsonFile)));
        var summary = json.RootElement.GetProperty("summary");
        Assert.Equal(3, summary.GetProperty("target").GetInt32());
        var directions = summary.GetProperty("directions");
        foreach (string method in new[] { "ganspace", "sefa", "interfacegan" })
            foreach (var row in directions.GetProperty(method).EnumerateArray())
            {
                double spec = row.GetProperty("specificity").GetDouble();
                Assert.InRange(spec, 0, 0.9 + 1e-9);
                Assert.True(row.GetProperty("activationVarianceVsRandom").GetDouble() > 0);
                Assert.Equal(7, row.GetProperty("targetChange").GetArrayLength());
            }
        var ratios = summary.GetProperty("methods").GetProperty("ganspace").GetProperty("explainedVarianceRatio").EnumerateArray().Select(e => e.GetDouble()).ToList();
        Assert.True(ratios[0] >= ratios[1] && ratios.Sum() <= 1 + 1e-9);
        double accuracy = summary.GetProperty("methods").GetProperty("interfacegan").GetProperty("heldOutAccuracy").GetDouble();
        Assert.InRange(accuracy, 0, 1);
        Assert.Equal(3, summary.GetProperty("random").GetProperty("count").GetInt32());

        // Bad settings give one clear line.
        var bad = request with { Output = dir.File("bad"), Options = new Dictionary<string, string> { ["method"] = "pca" } };
        Assert.Contains("method", Assert.Throws<GlassboxException>(() => ExplainGeneratorJob.Run(bad)).Message);
        var even = request with { Output = dir.File("even"), Options = new Dictionary<string, string> { ["steps"] = "6" } };
        Assert.Contains("odd", Assert.Throws<GlassboxException>(() => ExplainGeneratorJob.Run(even)).Message);
    }
}

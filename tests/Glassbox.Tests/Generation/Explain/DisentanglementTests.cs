using Glassbox.Generation.Explain.Disentanglement;

namespace Glassbox.Tests.Generation.Explain;

/// <summary>MIG, DCI, FactorVAE score and SAP against their definitions (issue 12, explanation 5).</summary>
public class DisentanglementTests
{
    private static readonly int[] Sizes = [3, 4, 5, 6];

    // Every combination of four factors once (360 rows), like a full dSprites grid.
    private static int[] Grid()
    {
        int n = Sizes.Aggregate(1, (a, b) => a * b);
        var f = new int[n * Sizes.Length];
        for (int i = 0; i < n; i++)
        {
            int rest = i;
            for (int k = Sizes.Length - 1; k >= 0; k--) { f[i * Sizes.Length + k] = rest % Sizes[k]; rest /= Sizes[k]; }
        }
        return f;
    }

    // The code is the factors themselves (centred and scaled differently per dimension), optionally rotated.
    private static FactorCodes Codes(double[,]? rotation = null)
    {
        var f = Grid();
        int k = Sizes.Length, n = f.Length / k;
        var codes = new double[n * k];
        for (int i = 0; i < n; i++)
        {
            var v = Enumerable.Range(0, k).Select(j => (f[i * k + j] - (Sizes[j] - 1) / 2.0) / Sizes[j] * (j + 1)).ToArray();
            for (int d = 0; d < k; d++)
                codes[i * k + d] = rotation is null ? v[d] : Enumerable.Range(0, k).Sum(j => rotation[d, j] * v[j]);
        }
        return new FactorCodes(codes, k, f, k);
    }

    // A random orthogonal matrix (Gram–Schmidt of seeded Gaussian columns) far from any permutation.
    private static double[,] RandomRotation(int k, int seed)
    {
        var r = new Random(seed);
        var q = new double[k, k];
        for (int c = 0; c < k; c++)
        {
            var v = Enumerable.Range(0, k).Select(_ => Math.Sqrt(-2 * Math.Log(1 - r.NextDouble())) * Math.Cos(2 * Math.PI * r.NextDouble())).ToArray();
            for (int p = 0; p < c; p++)
            {
                double dot = Enumerable.Range(0, k).Sum(i => v[i] * q[i, p]);
                for (int i = 0; i < k; i++) v[i] -= dot * q[i, p];
            }
            double norm = Math.Sqrt(v.Sum(x => x * x));
            for (int i = 0; i < k; i++) q[i, c] = v[i] / norm;
        }
        return q;
    }

    private static readonly DisentanglementOptions Fast = new(
        new MigOptions(TrainCount: 5000), new DciOptions(TrainCount: 3000, TestCount: 1500, Trees: 10),
        new FactorVaeScoreOptions(TrainCount: 2000, EvalCount: 1000, VarianceCount: 5000),
        new SapOptions(TrainCount: 3000, TestCount: 1500, Continuous: [true, true, true, true]));

    [Fact]
    public void MutualInformation_MatchesHandComputedValues()
    {
        int[] a = [0, 0, 1, 1], b = [0, 1, 1, 1];
        double expected = 0.25 * Math.Log(2) + 0.25 * Math.Log(2.0 / 3) + 0.5 * Math.Log(4.0 / 3);
        Assert.Equal(expected, MutualInformation.Discrete(a, b), 12);
        Assert.Equal(MutualInformation.Discrete(a, b), MutualInformation.Discrete(b, a), 12);
        Assert.Equal(Math.Log(4), MutualInformation.Entropy([0, 1, 2, 3, 3, 2, 1, 0]), 12);
        Assert.Equal(-(0.25 * Math.Log(0.25) + 0.75 * Math.Log(0.75)), MutualInformation.Entropy(b), 12);
        Assert.Equal(MutualInformation.Entropy([5, 5, 7, 9]), MutualInformation.Discrete([5, 5, 7, 9], [5, 5, 7, 9]), 12);
        // Independent by construction (the product table): exactly 0; a relabelling keeps I.
        Assert.Equal(0, MutualInformation.Discrete([0, 0, 1, 1], [0, 1, 0, 1]), 12);
        Assert.Equal(expected, MutualInformation.Discrete([7, 7, 3, 3], [2, 9, 9, 9]), 12);
        Assert.Equal(0, MutualInformation.Entropy([4, 4, 4]), 12);
        Assert.Throws<GlassboxException>(() => MutualInformation.Discrete([0, 1], [0]));
    }

    [Fact]
    public void HistogramDiscretize_FollowsNumpyHistogramEdgesAndDigitize()
    {
        Assert.Equal([1, 2, 11, 20, 20], MutualInformation.HistogramDiscretize([0, 0.07, 0.52, 0.99, 1], 20));
        // A constant array: numpy widens the range by ±0.5, so the value falls in the middle bin.
        Assert.Equal([11, 11, 11], MutualInformation.HistogramDiscretize([3.0, 3.0, 3.0], 20));
        Assert.Equal([1, 1, 2, 2], MutualInformation.HistogramDiscretize([-1.0, -0.2, 0.2, 1.0], 2));
    }

    [Fact]
    public void PerfectlyDisentangledCode_ScoresOneOnEveryScore()
    {
        var card = DisentanglementScorecard.Compute(Codes(), Fast);
        Assert.InRange(card.Mig.Score, 0.97, 1.0);
        Assert.InRange(card.Dci.Disentanglement, 0.97, 1.0);
        Assert.InRange(card.Dci.Completeness, 0.97, 1.0);
        Assert.Equal(1.0, card.Dci.InformativenessTest, 6);
        Assert.Equal(1.0, card.FactorVae.EvalAccuracy, 6);
        Assert.Equal(1.0, card.FactorVae.TrainAccuracy, 6);
        Assert.InRange(card.Sap.Score, 0.97, 1.0);
        // Each factor's MI is its entropy on its own dimension.
        for (int k = 0; k < Sizes.Length; k++) Assert.Equal(card.Mig.FactorEntropy[k], card.Mig.MutualInformation[k][k], 9);
    }

    [Fact]
    public void RandomRotationOfThePerfectCode_ScoresLow_ButStaysInformative()
    {
        var perfect = DisentanglementScorecard.Compute(Codes(), Fast);
        var rotated = DisentanglementScorecard.Compute(Codes(RandomRotation(Sizes.Length, 7)), Fast);
        Assert.InRange(rotated.Mig.Score, 0, 0.35);
        Assert.InRange(rotated.Dci.Disentanglement, 0, 0.5);
        Assert.InRange(rotated.Dci.Completeness, 0, 0.5);
        Assert.InRange(rotated.Sap.Score, 0, 0.35);
        // The FactorVAE score is the least rotation-sensitive of the four: a generic rotation still leaves each fixed
        // factor's variance drop largest on one code (measured 0.85 here); an evenly mixing rotation takes it to chance below.
        Assert.True(rotated.FactorVae.EvalAccuracy < 0.9, $"FactorVAE {rotated.FactorVae.EvalAccuracy}");
        // A rotation loses no information: the forests still predict the factors well.
        Assert.True(rotated.Dci.InformativenessTest > 0.8, $"informativeness {rotated.Dci.InformativenessTest}");
        foreach (var (name, value) in rotated.Scores.Where(s => s.Name is not ("DCI informativeness" or "FactorVAE score")))
            Assert.True(value < perfect.Scores.Single(s => s.Name == name).Value - 0.2, $"{name}: {value}");
    }

    [Fact]
    public void EvenlyMixingRotation_TakesEveryScoreToChance()
    {
        // The normalised 4×4 Hadamard matrix: every code weighs every factor by ±1/2.
        var h = new double[4, 4];
        for (int i = 0; i < 4; i++)
            for (int j = 0; j < 4; j++)
                h[i, j] = (System.Numerics.BitOperations.PopCount((uint)(i & j)) % 2 == 0 ? 0.5 : -0.5);
        var card = DisentanglementScorecard.Compute(Codes(h), Fast);
        Assert.InRange(card.Mig.Score, 0, 0.3);
        Assert.InRange(card.Dci.Disentanglement, 0, 0.5);
        Assert.InRange(card.Dci.Completeness, 0, 0.5);
        Assert.InRange(card.Sap.Score, 0, 0.3);
        Assert.InRange(card.FactorVae.EvalAccuracy, 0, 0.55);
    }

    [Fact]
    public void Dci_OfHandMadeImportanceMatrices()
    {
        double[][] diagonal = [[1, 0], [0, 1]];
        Assert.Equal(1.0, Dci.Disentanglement(diagonal), 6);
        Assert.Equal(1.0, Dci.Completeness(diagonal), 6);
        double[][] uniform = [[1, 1], [1, 1]];
        Assert.Equal(0.0, Dci.Disentanglement(uniform), 9);
        Assert.Equal(0.0, Dci.Completeness(uniform), 9);
        // One code carries both factors: completeness 1 (each factor in one code), disentanglement 0.
        double[][] oneCode = [[1, 1], [0, 0]];
        Assert.Equal(0.0, Dci.Disentanglement(oneCode), 6);
        Assert.Equal(1.0, Dci.Completeness(oneCode), 6);
    }

    [Fact]
    public void FactorVae_CollapsedDimensionsNeverVote()
    {
        var f = Grid();
        int k = Sizes.Length, n = f.Length / k;
        var codes = new double[n * (k + 1)];
        for (int i = 0; i < n; i++)
        {
            for (int d = 0; d < k; d++) codes[i * (k + 1) + d] = f[i * k + d];
            codes[i * (k + 1) + k] = 0.01 * (i % 2); // standard deviation 0.005 < 0.05: pruned
        }
        var r = FactorVaeScore.Compute(new FactorCodes(codes, k + 1, f, k), new FactorVaeScoreOptions(TrainCount: 500, EvalCount: 200));
        Assert.Equal(k, r.ActiveDimensions);
        Assert.Equal(1.0, r.EvalAccuracy, 9);
    }

    [Fact]
    public void Sap_DiscreteFactors_ScoreByTestAccuracyOfAOneFeatureSvm()
    {
        // Two binary factors, the code = the factors: own accuracy 1, the other dimension at chance (0.5).
        int n = 400;
        var f = new int[n * 2];
        var codes = new double[n * 2];
        for (int i = 0; i < n; i++)
        {
            f[2 * i] = i % 2;
            f[2 * i + 1] = i / 2 % 2;
            codes[2 * i] = f[2 * i] * 3 - 1;
            codes[2 * i + 1] = f[2 * i + 1] * 0.5 + 2;
        }
        var r = Sap.Compute(new FactorCodes(codes, 2, f, 2), new SapOptions(TrainCount: 2000, TestCount: 1000));
        Assert.Equal(1.0, r.ScoreMatrix[0][0], 9);
        Assert.Equal(1.0, r.ScoreMatrix[1][1], 9);
        Assert.InRange(r.ScoreMatrix[1][0], 0.4, 0.6);
        Assert.InRange(r.Score, 0.4, 0.6);
    }

    [Fact]
    public void Sap_RSquared_IsTheSquaredCorrelation()
    {
        Assert.Equal(1.0, Sap.RSquared([1.0, 3.0, 5.0], [0, 1, 2]), 12);
        Assert.Equal(0.0, Sap.RSquared([1.0, 1.0, 1.0], [0, 1, 2]), 12);
        // z = [0, 1, 0, 1], v = [0, 0, 1, 1]: uncorrelated.
        Assert.Equal(0.0, Sap.RSquared([0.0, 1.0, 0.0, 1.0], [0, 0, 1, 1]), 12);
    }

    [Fact]
    public void BadInputs_GiveOneClearMessage()
    {
        Assert.Contains("aligned", Assert.Throws<GlassboxException>(() => new FactorCodes(new double[6], 2, new int[4], 1)).Message);
        Assert.Contains("NaN", Assert.Throws<GlassboxException>(() => new FactorCodes([double.NaN, 0, 1, 2], 2, [0, 1], 1)).Message);
        var constant = new FactorCodes([0, 1, 2, 3, 4, 5], 2, [0, 0, 0], 1);
        Assert.Contains("one value", Assert.Throws<GlassboxException>(() => Mig.Compute(constant)).Message);
    }
}

/// <summary><c>--what disentanglement</c> run through <see cref="Glassbox.App.Generation.Explain.ExplainGeneratorJob"/> on a tiny trained VAE.</summary>
[Collection(Glassbox.Tests.Training.SerialCollection.Name)]
public class DisentanglementExplanationTests
{
    [Fact]
    public void DisentanglementKind_WritesTheScorecardOfThePosteriorMeans()
    {
        using var dir = new Glassbox.Tests.IO.TempDirectory();
        string data = dir.File("factors");
        Glassbox.Data.Synthetic.FactorSprites.Write(Glassbox.Data.Synthetic.FactorSprites.Create(new(Seed: 0, Count: 512)), data);
        var images = Glassbox.Data.MnistFormat.LoadFolder(data, "train");
        using var vae = new Glassbox.Generation.Vae(new Glassbox.Generation.VaeOptions(LatentSize: 4, Beta: 4), 1);
        var history = new Glassbox.Generation.GeneratorTrainer(new Glassbox.Generation.GeneratorTrainingOptions(Epochs: 1, BatchSize: 64)).Train(vae, images);
        Glassbox.Generation.GeneratorCheckpoint.Save(dir.File("gen"), vae, history);
        var options = new Dictionary<string, string> { ["seeds"] = "2", ["samples"] = "300" };
        var r = Glassbox.App.Generation.Explain.ExplainGeneratorJob.Run(new Glassbox.App.Generation.Explain.ExplainGeneratorRequest(
            dir.File("gen"), "disentanglement", dir.File("out"), Data: data, Seed: 5, Options: options));

        foreach (string f in new[] { "disentanglement.png", "mutual-information.png", "scorecard.json", "codes.npy", "explain-generator.json" })
            Assert.True(File.Exists(Path.Combine(r.Folder, f)), f);
        Assert.Equal(2, r.Figures.Count);
        // The codes are the posterior means, and the scores are the scorecard of those codes averaged over seeds 5 and 6.
        var codes = Glassbox.IO.NpyFile.ReadFloat32(Path.Combine(r.Folder, "codes.npy"), out var shape);
        Assert.Equal([512, 4], shape);
        var expected = PosteriorMeans.Encode(vae, images);
        Assert.All(Enumerable.Range(0, codes.Length), i => Assert.Equal(expected[i], codes[i], 4));
        var factors = Glassbox.Data.Synthetic.FactorSprites.ReadFactors(data, 512);
        var fc = new FactorCodes(expected, 4, factors, 5);
        var settings = Glassbox.App.Generation.Explain.DisentanglementExplanation.Settings(300, "mixed");
        var cards = new[] { DisentanglementScorecard.Compute(fc, settings, 5), DisentanglementScorecard.Compute(fc, settings, 6) };
        Assert.Equal(cards.Average(c => c.Mig.Score), (double)r.Summary["mig"]!, 6);
        Assert.Equal(cards.Average(c => c.FactorVae.EvalAccuracy), (double)r.Summary["factorvae_score"]!, 6);
        Assert.Equal(cards.Average(c => c.Sap.Score), (double)r.Summary["sap"]!, 6);
        Assert.Equal(Math.Abs(cards[0].Mig.Score - cards[1].Mig.Score) / Math.Sqrt(2), (double)r.Summary["mig_sd"]!, 6);
        foreach (var key in new[] { "mig", "dci_disentanglement", "dci_completeness", "dci_informativeness", "factorvae_score", "sap" })
            Assert.InRange((double)r.Summary[key]!, 0, 1);

        // Bad inputs: no factors set, a folder without factors.npy, an unknown option value.
        var noData = Assert.Throws<GlassboxException>(() => Glassbox.App.Generation.Explain.ExplainGeneratorJob.Run(
            new(dir.File("gen"), "disentanglement", dir.File("out2"))));
        Assert.Contains("make-factors", noData.Message);
        var mnist = Assert.Throws<GlassboxException>(() => Glassbox.App.Generation.Explain.ExplainGeneratorJob.Run(
            new(dir.File("gen"), "disentanglement", dir.File("out3"), Data: Glassbox.Tests.Data.RepoPaths.MnistSample)));
        Assert.Contains("make-factors", mnist.Message);
        Assert.Throws<GlassboxException>(() => Glassbox.App.Generation.Explain.ExplainGeneratorJob.Run(
            new(dir.File("gen"), "disentanglement", dir.File("out4"), Data: data, Options: new Dictionary<string, string> { ["sap"] = "both" })));
    }
}

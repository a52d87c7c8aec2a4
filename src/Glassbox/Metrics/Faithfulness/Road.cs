using Glassbox.Attribution;
using Glassbox.Attribution.Catalog;
using Glassbox.Metrics.Common;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Metrics.Faithfulness;

/// <summary>Settings for <see cref="Road"/> (Quantus' defaults).</summary>
/// <param name="Percentages">Shares of the pixels removed, in percent, each in 0..99 (Quantus <c>percentages</c>); null = 1, 3, 5, …, 99.</param>
/// <param name="Noise">Standard deviation of the Gaussian noise added to imputed values (Quantus <c>noise</c>).</param>
/// <param name="Order">morf (most relevant pixels removed first, Quantus) or lerf (least relevant first; Rong et al. report both).</param>
/// <param name="Absolute">Rank by |attribution| (Quantus <c>abs</c>).</param>
/// <param name="RandomSeed">Seed of the TorchSharp generator that draws the noise.</param>
/// <param name="BatchSize">Imputed images per forward pass.</param>
public sealed record RoadOptions(
    [property: Option("percentages", Reference = "percentages", Min = 0, Default = "1,3,5,...,99", Help = "Percent of the pixels removed at each point, each in 0..99")] int[]? Percentages = null,
    [property: Option("noise", Reference = "noise", Min = 0, Help = "Standard deviation of the noise added to imputed values")] double Noise = 0.01,
    [property: Option("order", Help = "morf (most relevant first) or lerf (least relevant first)")] string Order = "morf",
    [property: Option("abs", Reference = "abs", Help = "Rank by |attribution|")] bool Absolute = false,
    [property: Option("random-seed", Help = "Seed of the imputation noise")] int RandomSeed = 0,
    [property: Option("batch-size", Min = 1, Max = 1000000, Help = "Imputed images per forward pass")] int BatchSize = 512)
{
    /// <summary>The percentages used (Quantus' default 1, 3, …, 99 when none are given).</summary>
    public int[] Steps => Percentages ?? Enumerable.Range(0, 50).Select(i => 2 * i + 1).ToArray();
}

/// <summary>
/// ROAD, RemOve And Debias (Rong et al. 2022, "A Consistent and Efficient Evaluation Strategy for Attribution Methods"),
/// as Quantus' <c>ROAD</c>: for each percentage p, remove the ⌊H·W·p/100⌋ pixels of highest attribution (summed over
/// channels) by noisy linear imputation — every removed pixel becomes the weighted mean of its 8 neighbours (1/6 for
/// the 4 direct, 1/12 for the 4 diagonal ones, over the neighbours inside the image), a sparse linear system over all
/// removed pixels, plus Gaussian noise — and check whether the model still predicts the explained class. Each map scores
/// the share of percentages at which it does (the mean of Quantus' per-percentage accuracy curve; lower = more faithful
/// for morf, higher for lerf). The detail holds the 0/1 curve over p/100.
/// </summary>
public sealed class Road : IExplanationMetric
{
    private static readonly (int Dy, int Dx, double Weight)[] Neighbours =
        [(-1, -1, 1.0 / 12), (-1, 0, 1.0 / 6), (-1, 1, 1.0 / 12), (0, -1, 1.0 / 6), (0, 1, 1.0 / 6), (1, -1, 1.0 / 12), (1, 0, 1.0 / 6), (1, 1, 1.0 / 12)];

    /// <summary>ROAD with <paramref name="options"/> (null = Quantus' defaults).</summary>
    public Road(RoadOptions? options = null)
    {
        Options = options ?? new RoadOptions();
        if (Options.Steps.Length == 0 || Options.Steps.Any(p => p is < 0 or > 99))
            throw new GlassboxException("road: percentages must be one or more values in 0..99 (at least one pixel must stay to impute from).");
        if (!(Options.Noise >= 0) || double.IsInfinity(Options.Noise)) throw new GlassboxException($"road: noise must be a standard deviation ≥ 0, not {Options.Noise}.");
        if (Options.BatchSize < 1) throw new GlassboxException("road needs a batch size of at least 1.");
        PerturbationOrder.MostRelevantFirst(Options.Order, Name);
    }

    /// <summary>The settings.</summary>
    public RoadOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "road";
    /// <inheritdoc/>
    public MetricCategory Category => MetricCategory.Faithfulness;
    /// <inheritdoc/>
    public bool HigherIsBetter => !PerturbationOrder.MostRelevantFirst(Options.Order, Name);
    /// <inheritdoc/>
    public MetricRequirement Requirement => MetricRequirement.Forward;

    /// <inheritdoc/>
    public MetricResult Evaluate(IImageModel model, Tensor inputs, Explanation explanation, CancellationToken cancel = default)
    {
        MetricInputs.CheckExplained(model, inputs, explanation, Name);
        int n = explanation.Count, k = explanation.TargetsPerInput, d = explanation.MapSize;
        int c = explanation.Shape[2], h = explanation.Shape[3], w = explanation.Shape[4], plane = h * w;
        var percentages = Options.Steps;
        var fractions = percentages.Select(p => p / 100.0).ToArray();
        bool morf = PerturbationOrder.MostRelevantFirst(Options.Order, Name);
        var pixelIds = Enumerable.Range(0, d).Select(e => e % plane).ToArray();
        float[] pixels;
        using (var cpu = inputs.detach().to_type(ScalarType.Float32).cpu().contiguous()) pixels = cpu.data<float>().ToArray();
        using var generator = new torch.Generator((ulong)Options.RandomSeed);
        var curves = new double[n * k][];
        for (int i = 0; i < n * k; i++)
        {
            int image = i / k;
            var source = pixels.AsSpan(image * d, d);
            var ranked = PerturbationOrder.Rank(PerturbationOrder.FeatureScores(explanation.Map(image, i % k), pixelIds, plane, mean: false, Options.Absolute), morf);
            var batch = new float[percentages.Length * d];
            for (int s = 0; s < percentages.Length; s++)
            {
                cancel.ThrowIfCancellationRequested();
                var removed = new bool[plane];
                for (int r = 0; r < plane * percentages[s] / 100; r++) removed[ranked[r]] = true;
                var imputed = Impute(source, c, h, w, removed);
                AddNoise(imputed, removed, c, plane, Options.Noise, generator);
                imputed.CopyTo(batch, s * d);
            }
            curves[i] = StillPredicted(model, batch, percentages.Length, explanation.Targets[i]);
        }
        return new MetricResult(Name, curves.Select(cv => cv.Average()).ToArray(), Options, new DeletionCurves(fractions, curves, null, null, HigherIsBetter: !morf));
    }

    /// <summary>
    /// Linear imputation without noise (Rong et al. 2022): <paramref name="image"/> (C×H×W) with every pixel where
    /// <paramref name="removed"/> (H·W) is true replaced, in every channel, by the solution of the sparse system "each
    /// removed pixel equals the weighted mean of its in-image 8 neighbours (1/6 direct, 1/12 diagonal)", solved by
    /// Jacobi-preconditioned conjugate gradients (the system is symmetric positive definite while any pixel is kept).
    /// </summary>
    public static float[] Impute(ReadOnlySpan<float> image, int channels, int height, int width, bool[] removed)
    {
        int plane = height * width;
        if (image.Length != channels * plane || removed.Length != plane)
            throw new GlassboxException($"ROAD imputation needs a {channels}×{height}×{width} image and {plane} removal flags.");
        var result = image.ToArray();
        var unknowns = Enumerable.Range(0, plane).Where(p => removed[p]).ToArray();
        if (unknowns.Length == 0) return result;
        if (unknowns.Length == plane) throw new GlassboxException("ROAD imputation needs at least one kept pixel to impute from.");
        var slot = new int[plane];
        Array.Fill(slot, -1);
        for (int u = 0; u < unknowns.Length; u++) slot[unknowns[u]] = u;
        // Per unknown: its total in-image neighbour weight, and its removed neighbours (CSR: slot, weight).
        var diagonal = new double[unknowns.Length];
        var rowStart = new int[unknowns.Length + 1];
        var column = new List<int>();
        var weight = new List<double>();
        var b = new double[channels * unknowns.Length];
        for (int u = 0; u < unknowns.Length; u++)
        {
            int y = unknowns[u] / width, x = unknowns[u] % width;
            foreach (var (dy, dx, wgt) in Neighbours)
            {
                int yy = y + dy, xx = x + dx;
                if (yy < 0 || yy >= height || xx < 0 || xx >= width) continue;
                int q = yy * width + xx;
                diagonal[u] += wgt;
                if (slot[q] >= 0) { column.Add(slot[q]); weight.Add(wgt); }
                else for (int ch = 0; ch < channels; ch++) b[ch * unknowns.Length + u] += wgt * image[ch * plane + q];
            }
            rowStart[u + 1] = column.Count;
        }
        var system = new SparseSystem(diagonal, rowStart, [.. column], [.. weight]);
        for (int ch = 0; ch < channels; ch++)
        {
            var solution = system.Solve(b.AsSpan(ch * unknowns.Length, unknowns.Length));
            for (int u = 0; u < unknowns.Length; u++) result[ch * plane + unknowns[u]] = (float)solution[u];
        }
        return result;
    }

    // The symmetric positive definite system (diag(D) − W) v = b of Impute, W in CSR form.
    private sealed record SparseSystem(double[] Diagonal, int[] RowStart, int[] Column, double[] Weight)
    {
        // Jacobi-preconditioned conjugate gradients, to a residual of 1e-12 · |b|.
        public double[] Solve(ReadOnlySpan<double> rhs)
        {
            int m = rhs.Length;
            var v = new double[m];
            var r = rhs.ToArray();
            var z = new double[m];
            var p = new double[m];
            var q = new double[m];
            for (int i = 0; i < m; i++) p[i] = z[i] = r[i] / Diagonal[i];
            double rz = Dot(r, z), tolerance = 1e-24 * Dot(r, r);
            for (int iter = 0; iter < 10 * m + 100 && Dot(r, r) > tolerance; iter++)
            {
                for (int i = 0; i < m; i++)
                {
                    double s = Diagonal[i] * p[i];
                    for (int j = RowStart[i]; j < RowStart[i + 1]; j++) s -= Weight[j] * p[Column[j]];
                    q[i] = s;
                }
                double alpha = rz / Dot(p, q);
                for (int i = 0; i < m; i++) { v[i] += alpha * p[i]; r[i] -= alpha * q[i]; z[i] = r[i] / Diagonal[i]; }
                double next = Dot(r, z), beta = next / rz;
                for (int i = 0; i < m; i++) p[i] = z[i] + beta * p[i];
                rz = next;
            }
            return v;
        }

        private static double Dot(double[] a, double[] c)
        {
            double s = 0;
            for (int i = 0; i < a.Length; i++) s += a[i] * c[i];
            return s;
        }
    }

    // Adds Noise·N(0, 1) from the seeded TorchSharp generator to every removed pixel of every channel.
    internal static void AddNoise(float[] image, bool[] removed, int channels, int plane, double std, torch.Generator generator)
    {
        if (std == 0) return;
        var pixels = Enumerable.Range(0, plane).Where(p => removed[p]).ToArray();
        if (pixels.Length == 0) return;
        using var draw = torch.randn([channels, pixels.Length], generator: generator);
        var noise = draw.data<float>().ToArray();
        for (int ch = 0; ch < channels; ch++)
            for (int j = 0; j < pixels.Length; j++)
                image[ch * plane + pixels[j]] += (float)(std * noise[ch * pixels.Length + j]);
    }

    // 1 where the model's top class on the image is the target, else 0.
    private double[] StillPredicted(IImageModel model, float[] batch, int count, int target)
    {
        var info = model.Info;
        int d = info.Channels * info.Height * info.Width;
        var hits = new double[count];
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        for (int first = 0; first < count; first += Options.BatchSize)
        {
            int m = Math.Min(Options.BatchSize, count - first);
            var x = torch.tensor(batch.AsSpan(first * d, m * d).ToArray(), [m, info.Channels, info.Height, info.Width], device: model.Device);
            var top = model.Forward(x).argmax(1).cpu().data<long>().ToArray();
            for (int j = 0; j < m; j++) hits[first + j] = top[j] == target ? 1 : 0;
        }
        return hits;
    }
}

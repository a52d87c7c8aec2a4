using Glassbox.Attribution.Catalog;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Perturbation;

/// <summary>Settings for <see cref="Rise"/> (the paper's defaults).</summary>
/// <param name="NSamples">Random masks N (the paper: 4000).</param>
/// <param name="Cells">Cells per side s of the low-resolution masks (the paper: 7).</param>
/// <param name="KeepProbability">Probability p that a cell keeps the input (the paper: 0.5).</param>
/// <param name="Baselines">What masked pixels become; null = zeros (the paper multiplies by the mask).</param>
/// <param name="PerturbationsPerEval">Masked images per forward pass.</param>
/// <param name="Seed">Seed of the masks (one set of masks serves every input of a call, as in the paper).</param>
/// <param name="Output">Probabilities (default: RISE weighs masks by the class probability) or logits.</param>
public sealed record RiseOptions(
    [property: Option("n-samples", Reference = "N", Min = 1, Max = 10000000, Help = "Random masks")] int NSamples = 4000,
    [property: Option("cells", Reference = "s", Min = 1, Max = 4096, Help = "Cells per side of the low-resolution masks")] int Cells = 7,
    [property: Option("keep-probability", Reference = "p1", Min = 1e-6, Max = 1, Help = "Probability that a cell keeps the input")] double KeepProbability = 0.5,
    [property: Option("baselines", Reference = "baselines", Default = "zeros", Help = "zeros, constant:V, blur, blur:SIGMA or a .npy of images")] Baseline? Baselines = null,
    [property: Option("perturbations-per-eval", Reference = "batch_size", Min = 1, Max = 100000, Help = "Masked images per forward pass")] int PerturbationsPerEval = 64,
    [property: Option("seed", Help = "Seed of the masks")] int Seed = 0,
    [property: Option("output", Help = "probabilities (softmax) or logits")] OutputSpace Output = OutputSpace.Probabilities);

/// <summary>
/// RISE (Petsiuk, Das and Saenko 2018, "RISE: Randomized Input Sampling for Explanation of Black-box Models"): N random
/// masks — s×s grids of cells kept with probability p, upsampled bilinearly to (s+1)·⌈H/s⌉ and shifted by a random
/// offset below one cell — keep parts of the input; the saliency of a pixel is the mean class score of the masked images
/// weighted by how much each mask kept that pixel, <c>S = Σ_i f(x ⊙ M_i) M_i / (N·p)</c>, a Monte Carlo estimate of
/// E[f(x ⊙ M) | M(pixel) = 1]. Forward passes only; no completeness promise.
/// </summary>
public sealed class Rise : IAttributionMethod
{
    private readonly IImageModel _model;

    /// <summary>Prepares RISE for <paramref name="model"/> (forward passes only).</summary>
    public Rise(IImageModel model, RiseOptions? options = null)
    {
        _model = model;
        Options = options ?? new RiseOptions();
        if (Options.NSamples < 1) throw new GlassboxException($"RISE needs at least one mask, not {Options.NSamples}.");
        if (Options.Cells < 1) throw new GlassboxException($"RISE needs at least one cell per side, not {Options.Cells}.");
        if (!(Options.KeepProbability is > 0 and <= 1)) throw new GlassboxException($"The keep probability must be in (0, 1], not {Options.KeepProbability}.");
    }

    /// <summary>The settings in use.</summary>
    public RiseOptions Options { get; }

    /// <inheritdoc />
    public string Name => "rise";

    /// <summary>
    /// The paper's masks: <paramref name="count"/> s×s grids of cells kept with probability <paramref name="keep"/> and a
    /// shift below one cell each, all drawn up front from <paramref name="generator"/> (so batching never changes them).
    /// </summary>
    public static MaskDraws Draw(int count, int height, int width, int cells, double keep, Generator generator)
    {
        int ch = (height + cells - 1) / cells, cw = (width + cells - 1) / cells;
        var grids = (torch.rand([count, 1, cells, cells], generator: generator) < keep).to_type(ScalarType.Float32);
        using var dy = torch.randint(0, ch, [count], generator: generator);
        using var dx = torch.randint(0, cw, [count], generator: generator);
        return new MaskDraws(grids, dy.data<long>().ToArray(), dx.data<long>().ToArray(), height, width);
    }

    /// <summary>Drawn masks: the low-resolution grids and shifts; <see cref="Masks"/> upsamples a range of them.</summary>
    /// <param name="Grids">count×1×s×s cells (1 = keep).</param>
    /// <param name="ShiftY">Vertical shift of each mask, below one cell.</param>
    /// <param name="ShiftX">Horizontal shift of each mask, below one cell.</param>
    /// <param name="Height">Image height.</param>
    /// <param name="Width">Image width.</param>
    public sealed record MaskDraws(Tensor Grids, long[] ShiftY, long[] ShiftX, int Height, int Width)
    {
        /// <summary>Masks <paramref name="start"/>..+<paramref name="count"/> as count×1×H×W in [0, 1]: each grid upsampled bilinearly to (s+1)·⌈H/s⌉ and cropped at its shift.</summary>
        public Tensor Masks(int start, int count, Device device)
        {
            using var scope = torch.NewDisposeScope();
            long cells = Grids.shape[2];
            long ch = (Height + cells - 1) / cells, cw = (Width + cells - 1) / cells;
            var up = nn.functional.interpolate(Grids.narrow(0, start, count), [(cells + 1) * ch, (cells + 1) * cw],
                mode: InterpolationMode.Bilinear, align_corners: false);
            var masks = torch.stack(Enumerable.Range(0, count).Select(i => up[i].narrow(1, ShiftY[start + i], Height).narrow(2, ShiftX[start + i], Width)));
            return masks.to(device).MoveToOuterDisposeScope();
        }
    }

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        using var scope = torch.NewDisposeScope();
        var call = PerturbationCall.Start(_model, Name, Options with { }, inputs, targets, Options.Output, Options.PerturbationsPerEval);
        int n = call.N, k = call.K, c = call.C, h = call.H, w = call.W, classes = call.Classes;
        var b = call.PerInputBaselines(Options.Baselines ?? Baseline.Zeros);
        var draws = Draw(Options.NSamples, h, w, Options.Cells, Options.KeepProbability, new Generator((ulong)Options.Seed));
        var saliency = torch.zeros([n, classes, h * w], dtype: ScalarType.Float64, device: call.X.device);
        int chunk = Math.Max(1, Options.PerturbationsPerEval);
        for (int start = 0; start < Options.NSamples; start += chunk)
        {
            cancel.ThrowIfCancellationRequested();
            using var inner = torch.NewDisposeScope();
            int m = Math.Min(chunk, Options.NSamples - start);
            var masks = draws.Masks(start, m, call.X.device); // m×1×H×W
            var flat = masks.reshape(m, h * w).to_type(ScalarType.Float64);
            for (int i = 0; i < n; i++)
            {
                var xi = call.X[i].unsqueeze(0);
                var bi = b[i].unsqueeze(0);
                var images = xi * masks + bi * (1 - masks); // m×C×H×W
                var scores = torch.tensor(call.Runner.Outputs(images), [m, classes], device: call.X.device);
                saliency[i].add_(scores.t().matmul(flat));
            }
            progress?.Report((Math.Min(Options.NSamples, start + m) * n / Options.NSamples, n));
        }
        saliency.div_(Options.NSamples * Options.KeepProbability);
        var all = saliency.to_type(ScalarType.Float32).cpu().data<float>().ToArray();
        var values = new float[(long)n * k * c * h * w];
        var fx = new double[n * k];
        for (int i = 0; i < n; i++)
            for (int slot = 0; slot < k; slot++)
            {
                int cls = call.Target(i, slot);
                long offset = ((long)i * k + slot) * c * h * w;
                for (int ch = 0; ch < c; ch++) // the mask is shared by the channels: every channel gets the pixel's saliency
                    Array.Copy(all, ((long)i * classes + cls) * h * w, values, offset + (long)ch * h * w, h * w);
                fx[i * k + slot] = call.F0[i * classes + cls];
            }
        call.Builder.SetAll(values);
        return call.Builder.Build(Options.Output, fx, null, completeness: false);
    }
}

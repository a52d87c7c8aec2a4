using Glassbox.Attribution.Catalog;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Perturbation;

/// <summary>Settings for <see cref="Occlusion"/> (Captum's names and defaults).</summary>
/// <param name="SlidingWindowShapes">Captum <c>sliding_window_shapes</c>: C,H,W, or H,W (all channels). Null = all channels × 4×4.</param>
/// <param name="Strides">Captum <c>strides</c>: one value for every dimension, H,W (channel stride 1) or C,H,W. Null = 1 (Captum's default).</param>
/// <param name="Baselines">Captum <c>baselines</c>: what an occluded window is replaced with; null = zeros.</param>
/// <param name="PerturbationsPerEval">Captum <c>perturbations_per_eval</c>: windows evaluated per input in one forward pass
/// (Captum's default is 1; 32 here because it is much faster and never changes the result).</param>
/// <param name="Output">Explain logits (default) or softmax probabilities.</param>
public sealed record OcclusionOptions(
    [property: Option("sliding-window", Reference = "sliding_window_shapes", Min = 1, Default = "all channels × 4×4", Help = "Window as H,W or C,H,W")] int[]? SlidingWindowShapes = null,
    [property: Option("strides", Reference = "strides", Min = 1, Default = "1", Help = "One value, H,W or C,H,W")] int[]? Strides = null,
    [property: Option("baselines", Reference = "baselines", Default = "zeros", Help = "zeros, constant:V, blur, blur:SIGMA or a .npy of images")] Baseline? Baselines = null,
    [property: Option("perturbations-per-eval", Reference = "perturbations_per_eval", Min = 1, Max = 100000, Help = "Perturbed copies of each input per forward pass (never changes the result)")] int PerturbationsPerEval = 32,
    [property: Option("output", Help = "logits or probabilities (softmax)")] OutputSpace Output = OutputSpace.Logits);

/// <summary>
/// Occlusion (Zeiler and Fergus 2014, "Visualizing and Understanding Convolutional Networks"), as Captum's
/// <c>Occlusion</c>: a window slides over C×H×W from the origin with the given strides,
/// <c>⌈(dim − window)/stride⌉ + 1</c> positions per dimension (the last position may run past the edge and is cut
/// there); each window is replaced by the baseline, and every element gets the mean of <c>f(x) − f(x occluded)</c>
/// over the windows covering it. Forward passes only.
/// </summary>
public sealed class Occlusion : IAttributionMethod
{
    private readonly IImageModel _model;

    /// <summary>Prepares occlusion for <paramref name="model"/>.</summary>
    public Occlusion(IImageModel model, OcclusionOptions? options = null)
    {
        _model = model;
        Options = options ?? new OcclusionOptions();
        var i = model.Info;
        (Window, Stride, Positions) = Geometry(Options.SlidingWindowShapes, Options.Strides, i.Channels, i.Height, i.Width);
        if (Options.PerturbationsPerEval < 1)
            throw new GlassboxException($"perturbations_per_eval must be at least 1, not {Options.PerturbationsPerEval}.");
    }

    /// <summary>The settings in use.</summary>
    public OcclusionOptions Options { get; }

    /// <summary>Window size along C, H, W.</summary>
    public int[] Window { get; }

    /// <summary>Stride along C, H, W.</summary>
    public int[] Stride { get; }

    /// <summary>Window positions along C, H, W (<c>⌈(dim − window)/stride⌉ + 1</c>).</summary>
    public int[] Positions { get; }

    /// <summary>Number of occluded copies of each input.</summary>
    public int WindowCount => Positions[0] * Positions[1] * Positions[2];

    /// <inheritdoc />
    public string Name => "occlusion";

    /// <summary>Resolves window, strides and positions per dimension as Captum does, with clear errors for bad values.</summary>
    public static (int[] Window, int[] Stride, int[] Positions) Geometry(int[]? window, int[]? strides, int c, int h, int w)
    {
        int[] dims = [c, h, w];
        int[] win = window switch
        {
            null => [c, Math.Min(4, h), Math.Min(4, w)],
            { Length: 2 } => [c, window[0], window[1]],
            { Length: 3 } => (int[])window.Clone(),
            _ => throw new GlassboxException($"The sliding window needs 2 values (H,W) or 3 (C,H,W), not {window.Length}."),
        };
        int[] str = strides switch
        {
            null => [1, 1, 1],
            { Length: 1 } => [strides[0], strides[0], strides[0]],
            { Length: 2 } => [1, strides[0], strides[1]],
            { Length: 3 } => (int[])strides.Clone(),
            _ => throw new GlassboxException($"Strides need 1, 2 (H,W) or 3 (C,H,W) values, not {strides.Length}."),
        };
        var positions = new int[3];
        string[] names = ["channel", "height", "width"];
        for (int d = 0; d < 3; d++)
        {
            if (win[d] < 1) throw new GlassboxException($"The sliding window's {names[d]} must be at least 1, not {win[d]}.");
            if (win[d] > dims[d])
                throw new GlassboxException($"The sliding window {string.Join("×", win)} is larger than the input {c}×{h}×{w} ({names[d]} {win[d]} > {dims[d]}). Use a smaller sliding window.");
            if (str[d] < 1) throw new GlassboxException($"Strides must be at least 1; the {names[d]} stride is {str[d]}.");
            int room = dims[d] - win[d];
            if (room > 0 && str[d] > win[d])
                throw new GlassboxException($"The {names[d]} stride {str[d]} is larger than the window's {names[d]} {win[d]}, so some elements would never be occluded. Use strides ≤ the window.");
            positions[d] = (room + str[d] - 1) / str[d] + 1;
        }
        return (win, str, positions);
    }

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        using var scope = torch.NewDisposeScope();
        var call = PerturbationCall.Start(_model, Name, Options with { }, inputs, targets, Options.Output, Options.PerturbationsPerEval);
        int n = call.N, k = call.K, c = call.C, h = call.H, w = call.W, d = call.D;
        var runner = call.Runner;
        var b = call.PerInputBaselines(Options.Baselines ?? Baseline.Zeros);
        var f0 = call.F0;
        var fb = runner.Outputs(b);
        var xFlat = call.XFlat;
        var bFlat = b.reshape(n, d);

        // Window-major rows: row r occludes window r / n of input r % n.
        var sums = new double[(long)n * k * d];
        var coverage = new int[d];
        for (int win = 0; win < WindowCount; win++)
            foreach (int e in WindowElements(win, h, w)) coverage[e]++;
        long total = (long)WindowCount * n;
        runner.Run(total, runner.ImagesPerForward(n), (start, count) =>
        {
            var keep = new float[(long)count * d];
            Array.Fill(keep, 1f);
            var xi = new long[count];
            for (int r = 0; r < count; r++)
            {
                long row = start + r;
                xi[r] = row % n;
                foreach (int e in WindowElements((int)(row / n), h, w)) keep[(long)r * d + e] = 0f;
            }
            return PerturbationRunner.Compose(xFlat, bFlat, xi, xi, keep, [c, h, w]);
        }, (start, count, outputs) =>
        {
            for (int r = 0; r < count; r++)
            {
                long row = start + r;
                int i = (int)(row % n);
                var elements = WindowElements((int)(row / n), h, w);
                for (int slot = 0; slot < k; slot++)
                {
                    int cls = call.Target(i, slot);
                    double delta = f0[i * runner.Classes + cls] - runner.At(outputs, r, cls);
                    long offset = ((long)i * k + slot) * d;
                    foreach (int e in elements) sums[offset + e] += delta;
                }
            }
        }, progress, cancel);

        var values = new float[sums.Length];
        for (long j = 0; j < sums.Length; j++) values[j] = (float)(sums[j] / coverage[j % d]);
        return call.Finish(values, fb, completeness: false);
    }

    // Flat C×H×W indices covered by window number `win` (first dimension fastest, as Captum numbers them), cut at the edges.
    private List<int> WindowElements(int win, int h, int w)
    {
        int pc = win % Positions[0], rest = win / Positions[0];
        int ph = rest % Positions[1], pw = rest / Positions[1];
        int c0 = pc * Stride[0], h0 = ph * Stride[1], w0 = pw * Stride[2];
        int c1 = Math.Min(c0 + Window[0], _model.Info.Channels), h1 = Math.Min(h0 + Window[1], h), w1 = Math.Min(w0 + Window[2], w);
        var list = new List<int>((c1 - c0) * (h1 - h0) * (w1 - w0));
        for (int cc = c0; cc < c1; cc++)
            for (int y = h0; y < h1; y++)
                for (int xx = w0; xx < w1; xx++)
                    list.Add((cc * h + y) * w + xx);
        return list;
    }
}

using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.Maskers;
using Glassbox.Attribution.Perturbation;
using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Shapley;

/// <summary>Settings for <see cref="PartitionShap"/> (SHAP's defaults).</summary>
/// <param name="MaxEvals">Model evaluations per input (SHAP: 500).</param>
/// <param name="Masker">What hidden pixels become: blur(K,K) (default blur(128,128), SHAP's usual choice), inpaint_telea, inpaint_ns or a constant.</param>
/// <param name="BatchSize">Tree nodes expanded per forward pass of one input (two images each): SHAP's <c>batch_size</c> b
/// counts images, so b is ⌈b/2⌉ nodes here (SHAP's default for images, 10, is 5). Inputs are evaluated together.</param>
/// <param name="Seed">Breaks exact ties between equally important nodes with NumPy's legacy <c>randn</c> after
/// <c>np.random.seed(Seed)</c>, reseeded for each input, as SHAP does when seeded so.</param>
/// <param name="Output">Explain logits (default) or probabilities.</param>
/// <param name="AdditivityTolerance">Each explanation must satisfy |f(x) − f(masked) − Σφ| ≤ tolerance · max(1, |f(x)|).</param>
public sealed record PartitionShapOptions(
    [property: Option("max-evals", Reference = "max_evals", Min = 2, Max = 100000000, Help = "Model evaluations per input")] int MaxEvals = 500,
    [property: Option("masker", Reference = "masker", TextOf = typeof(ImageMasker), Help = "blur(K,K), inpaint_telea, inpaint_ns or a constant")] string Masker = "blur(128,128)",
    [property: Option("perturbations-per-eval", Reference = "batch_size", Min = 1, Max = 100000, Help = "Tree nodes expanded per forward pass")] int BatchSize = 32,
    [property: Option("seed", Help = "Seed of the random draws")] int Seed = 0,
    [property: Option("output", Help = "logits or probabilities (softmax)")] OutputSpace Output = OutputSpace.Logits,
    double AdditivityTolerance = 1e-4);

/// <summary>
/// Partition SHAP (Lundberg et al.; <c>shap.PartitionExplainer</c> with <c>shap.maskers.Image</c>, its <c>owen</c>
/// recursion): Owen values over the image's hierarchical partition (<see cref="ImagePartition"/>). Starting at the root
/// with f(x) and f(fully masked), each expanded node evaluates its two halves shown alone (f10, f01) and queues four
/// children at half its weight: each half against its sibling hidden and shown. The queue pops the largest weighted
/// effect max|Δf|·weight first (exact ties broken by <see cref="LegacyNormalDraws"/>, one draw per queued child), up to
/// <see cref="PartitionShapOptions.BatchSize"/> nodes per forward pass, while the images used stay below
/// <c>max_evals</c> − 2; popped leaves take (f11 − f00)·weight without an evaluation. When the budget is spent, every
/// queued node keeps (f11 − f00)·weight, and each node's total is lowered onto its halves in proportion to their size.
/// So Σφ = f(x) − f(fully masked image) exactly (checked). Several target classes are expanded together, ordered by the
/// largest effect over them, as SHAP does for several outputs. The inputs' recursions run side by side, their images
/// sharing forward passes (the results do not depend on it). Forward passes only.
/// </summary>
public sealed class PartitionShap : IAttributionMethod
{
    private readonly IImageModel _model;
    private readonly ImageMasker _masker;

    /// <summary>Prepares Partition SHAP for <paramref name="model"/>.</summary>
    public PartitionShap(IImageModel model, PartitionShapOptions? options = null)
        : this(model, options ?? new PartitionShapOptions(), null)
    {
    }

    /// <summary>Partition SHAP with <paramref name="masker"/> in place of the one the options name (tests emulate SHAP's maskers).</summary>
    internal PartitionShap(IImageModel model, PartitionShapOptions options, ImageMasker? masker)
    {
        _model = model;
        Options = options;
        if (Options.MaxEvals < 2) throw new GlassboxException($"max_evals must be at least 2 (the masked and the full image), not {Options.MaxEvals}.");
        if (Options.BatchSize < 1) throw new GlassboxException($"The batch size must be at least 1, not {Options.BatchSize}.");
        _masker = masker ?? ImageMasker.Parse(Options.Masker);
    }

    /// <summary>The settings in use.</summary>
    public PartitionShapOptions Options { get; }

    /// <inheritdoc />
    public string Name => "partition-shap";

    // Inputs whose recursions run side by side (their masked images share forward passes).
    private const int WalksPerGroup = 4;

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        using var scope = torch.NewDisposeScope();
        var call = PerturbationCall.Start(_model, Name, Options with { }, inputs, targets, Options.Output, perturbationsPerEval: 1);
        int n = call.N, k = call.K, c = call.C, h = call.H, w = call.W, d = call.D;
        var runner = call.Runner;
        var builder = call.Builder;
        var tree = new ImagePartition(c, h, w);
        var pixels = call.X.cpu().reshape(n, d).data<float>().ToArray();
        var values = new float[(long)n * k * d];
        var outputs = new double[n * k];
        var baseValues = new double[n * k];
        int total = n * Math.Max(1, Options.MaxEvals), done = 0;
        // Inputs walk side by side in groups (each walk is independent of the others, so grouping never changes a
        // map); a group bounds the images and tree state held at once.
        for (int first = 0; first < n; first += WalksPerGroup)
        {
            int count = Math.Min(WalksPerGroup, n - first);
            var group = new OwenWalk[count];
            for (int g = 0; g < count; g++)
            {
                int i = first + g;
                var classes = Enumerable.Range(0, k).Select(s => builder.Targets[i * k + s]).ToArray();
                group[g] = new OwenWalk(tree, _masker.Prepare(pixels.AsSpan(i * d, d).ToArray(), c, h, w), classes, Options.MaxEvals - 2, Options.BatchSize, (uint)Options.Seed);
            }
            // Every input's f(fully masked) and f(x) in one pass, then the recursions side by side.
            var none = new bool[d];
            var all = Enumerable.Repeat(true, d).ToArray();
            var ends = Evaluate(runner, group.SelectMany(walk => new[] { (walk, none), (walk, all) }).ToList(), c, h, w);
            for (int g = 0; g < count; g++) group[g].Start(ends[2 * g], ends[2 * g + 1]);
            while (group.Any(walk => !walk.Finished))
            {
                cancel.ThrowIfCancellationRequested();
                var requests = new List<(OwenWalk Walk, bool[] Shown)>();
                foreach (var walk in group)
                    if (!walk.Finished) requests.AddRange(walk.NextBatch().Select(m => (walk, m)));
                var f = Evaluate(runner, requests, c, h, w);
                int j = 0;
                foreach (var walk in group)
                {
                    int pending = walk.PendingImages;
                    if (pending > 0) walk.Receive(f.AsSpan(j, pending));
                    j += pending;
                }
                done += requests.Count;
                progress?.Report((Math.Min(done, total), Math.Max(total, 1)));
            }
            for (int g = 0; g < count; g++)
            {
                int i = first + g;
                var phi = group[g].Values();
                for (int t = 0; t < k; t++)
                {
                    for (int e = 0; e < d; e++) values[((long)i * k + t) * d + e] = (float)phi[t][e];
                    outputs[i * k + t] = group[g].F11[t];
                    baseValues[i * k + t] = group[g].F00[t];
                }
            }
        }
        builder.SetAll(values);
        return builder.Build(Options.Output, outputs, baseValues, completeness: true, Options.AdditivityTolerance);
    }

    /// <summary>The requested masked images in one batch; row r holds the target outputs of request r.</summary>
    private double[][] Evaluate(PerturbationRunner runner, List<(OwenWalk Walk, bool[] Shown)> requests, int c, int h, int w)
    {
        if (requests.Count == 0) return [];
        int d = c * h * w;
        var batch = new float[(long)requests.Count * d];
        for (int r = 0; r < requests.Count; r++) requests[r].Walk.Mask(requests[r].Shown).CopyTo(batch, (long)r * d);
        using var scope = torch.NewDisposeScope();
        using var t = torch.tensor(batch, [requests.Count, c, h, w], device: _model.Device);
        var o = runner.Outputs(t);
        var result = new double[requests.Count][];
        for (int r = 0; r < requests.Count; r++)
        {
            var classes = requests[r].Walk.Classes;
            result[r] = new double[classes.Length];
            for (int s = 0; s < classes.Length; s++) result[r][s] = o[(long)r * runner.Classes + classes[s]];
        }
        return result;
    }

    /// <summary>One input's Owen recursion (SHAP's <c>owen</c>), advanced one batch at a time.</summary>
    private sealed class OwenWalk(ImagePartition tree, Func<bool[], float[]> mask, int[] classes, int budget, int batchNodes, uint seed)
    {
        private readonly PriorityQueue<Item, (double Effect, double Draw)> _queue = new();
        private readonly LegacyNormalDraws _draws = new(seed);
        private readonly double[][] _dvalues = Enumerable.Range(0, tree.Nodes.Count).Select(_ => new double[classes.Length]).ToArray();
        private readonly List<(Item Item, bool[] M10, bool[] M01)> _batch = [];
        private int _evals;

        private sealed record Item(bool[] Shown, double[] F00, double[] F11, int Node, double Weight);

        public int[] Classes => classes;
        public Func<bool[], float[]> Mask => mask;
        public int Budget => budget;
        public double[] F00 { get; private set; } = [];
        public double[] F11 { get; private set; } = [];
        public bool Finished { get; private set; }
        public int PendingImages => 2 * _batch.Count;

        public void Start(double[] f00, double[] f11)
        {
            F00 = f00; F11 = f11;
            _queue.Enqueue(new Item(new bool[tree.Nodes[0].Size], f00, f11, 0, 1.0), (0, 0));
        }

        /// <summary>Pops the next batch and returns its images (two per node); finishes when the queue or budget is spent.</summary>
        public List<bool[]> NextBatch()
        {
            var images = new List<bool[]>();
            if (_queue.Count == 0) { Finished = true; return images; }
            if (_evals >= budget)
            {
                while (_queue.TryDequeue(out var rest, out _)) Keep(rest);
                Finished = true;
                return images;
            }
            while (_queue.Count > 0 && images.Count < 2 * batchNodes && _evals + images.Count < budget)
            {
                var item = _queue.Dequeue();
                var node = tree.Nodes[item.Node];
                if (node.IsLeaf) { Keep(item); continue; }
                var m10 = (bool[])item.Shown.Clone(); tree.Mark(node.Left, m10);
                var m01 = (bool[])item.Shown.Clone(); tree.Mark(node.Right, m01);
                _batch.Add((item, m10, m01));
                images.Add(m10); images.Add(m01);
            }
            if (images.Count == 0 && _queue.Count == 0) Finished = true;
            return images;
        }

        /// <summary>Takes the outputs of the last batch's images and queues the children.</summary>
        public void Receive(ReadOnlySpan<double[]> f)
        {
            _evals += 2 * _batch.Count;
            for (int j = 0; j < _batch.Count; j++)
            {
                var (item, m10, m01) = _batch[j];
                var node = tree.Nodes[item.Node];
                double[] f10 = f[2 * j], f01 = f[2 * j + 1];
                double half = item.Weight / 2;
                // Owen: each half is valued with its sibling hidden (context 0) and shown (context 1).
                Push(new Item(item.Shown, item.F00, f10, node.Left, half));
                Push(new Item(item.Shown, item.F00, f01, node.Right, half));
                Push(new Item(m01, f01, item.F11, node.Left, half));
                Push(new Item(m10, f10, item.F11, node.Right, half));
            }
            _batch.Clear();
        }

        private void Push(Item item)
        {
            double effect = 0;
            for (int s = 0; s < item.F11.Length; s++) effect = Math.Max(effect, Math.Abs(item.F11[s] - item.F00[s]));
            _queue.Enqueue(item, (-effect * item.Weight, _draws.Next()));
        }

        private void Keep(Item item)
        {
            var target = _dvalues[item.Node];
            for (int s = 0; s < target.Length; s++) target[s] += (item.F11[s] - item.F00[s]) * item.Weight;
        }

        /// <summary>Each node's credit lowered onto its halves in proportion to their size, down to the elements.</summary>
        public double[][] Values()
        {
            int k = classes.Length, h = tree.Height, w = tree.Width;
            var phi = new double[k][];
            for (int s = 0; s < k; s++) phi[s] = new double[tree.Nodes[0].Size];
            var stack = new Stack<(int Node, double[] Credit)>();
            stack.Push((0, new double[k]));
            while (stack.Count > 0)
            {
                var (index, credit) = stack.Pop();
                var node = tree.Nodes[index];
                var total = _dvalues[index].Zip(credit, (a, b) => a + b).ToArray();
                if (node.IsLeaf)
                {
                    int e = (node.C0 * h + node.Y0) * w + node.X0;
                    for (int s = 0; s < k; s++) phi[s][e] += total[s];
                    continue;
                }
                var l = tree.Nodes[node.Left];
                var r = tree.Nodes[node.Right];
                stack.Push((node.Left, total.Select(v => v * l.Size / node.Size).ToArray()));
                stack.Push((node.Right, total.Select(v => v * r.Size / node.Size).ToArray()));
            }
            return phi;
        }
    }
}

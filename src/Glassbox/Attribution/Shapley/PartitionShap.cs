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
/// <param name="BatchSize">Tree nodes expanded per forward pass (two images each).</param>
/// <param name="Seed">Breaks ties between equally important nodes.</param>
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
/// Partition SHAP (Lundberg et al.; <c>shap.PartitionExplainer</c> with <c>shap.maskers.Image</c>): Owen values over
/// the image's hierarchical partition (<see cref="ImagePartition"/>). Starting at the root, each expanded node splits
/// its value f(on) − f(off) between its halves, averaging over the sibling being hidden or shown; the nodes with the
/// largest effect are expanded first until <c>max_evals</c> is spent, and an unexpanded node's value is spread evenly
/// over its pixels. So Σφ = f(x) − f(fully masked image) exactly (checked). Several target classes are expanded
/// together, ordered by the largest effect over them, as SHAP does for several outputs. Forward passes only.
/// </summary>
public sealed class PartitionShap : IAttributionMethod
{
    private readonly IImageModel _model;
    private readonly ImageMasker _masker;

    /// <summary>Prepares Partition SHAP for <paramref name="model"/>.</summary>
    public PartitionShap(IImageModel model, PartitionShapOptions? options = null)
    {
        _model = model;
        Options = options ?? new PartitionShapOptions();
        if (Options.MaxEvals < 2) throw new GlassboxException($"max_evals must be at least 2 (the masked and the full image), not {Options.MaxEvals}.");
        if (Options.BatchSize < 1) throw new GlassboxException($"The batch size must be at least 1, not {Options.BatchSize}.");
        _masker = ImageMasker.Parse(Options.Masker);
    }

    /// <summary>The settings in use.</summary>
    public PartitionShapOptions Options { get; }

    /// <inheritdoc />
    public string Name => "partition-shap";

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        using var scope = torch.NewDisposeScope();
        var call = PerturbationCall.Start(_model, Name, Options with { }, inputs, targets, Options.Output, perturbationsPerEval: 1);
        int n = call.N, k = call.K, c = call.C, h = call.H, w = call.W, d = call.D;
        var runner = call.Runner;
        var builder = call.Builder;
        var x = call.X;
        var tree = new ImagePartition(c, h, w);
        var pixels = x.cpu().reshape(n, d).data<float>().ToArray();
        var values = new float[(long)n * k * d];
        var outputs = new double[n * k];
        var baseValues = new double[n * k];
        for (int i = 0; i < n; i++)
        {
            cancel.ThrowIfCancellationRequested();
            var image = pixels.AsSpan(i * d, d).ToArray();
            var classes = Enumerable.Range(0, k).Select(s => builder.Targets[i * k + s]).ToArray();
            var phi = ExplainOne(image, classes, tree, runner, c, h, w, out var f11, out var f00);
            for (int s = 0; s < k; s++)
            {
                for (int e = 0; e < d; e++) values[((long)i * k + s) * d + e] = (float)phi[s][e];
                outputs[i * k + s] = f11[s];
                baseValues[i * k + s] = f00[s];
            }
            progress?.Report((i + 1, n));
        }
        builder.SetAll(values);
        return builder.Build(Options.Output, outputs, baseValues, completeness: true, Options.AdditivityTolerance);
    }

    private sealed record Item(bool[] Shown, double[] F00, double[] F11, int Node, double Weight);

    private double[][] ExplainOne(float[] image, int[] classes, ImagePartition tree, PerturbationRunner runner, int c, int h, int w,
        out double[] f11Root, out double[] f00Root)
    {
        int d = image.Length, k = classes.Length;
        var rng = new Random(Options.Seed);
        var mask = _masker.Prepare(image, c, h, w);
        double[][] Eval(List<bool[]> masks)
        {
            var batch = new float[masks.Count * d];
            for (int j = 0; j < masks.Count; j++) mask(masks[j]).CopyTo(batch, j * d);
            using var t = torch.tensor(batch, [masks.Count, c, h, w], device: _model.Device);
            var o = runner.Outputs(t);
            return Enumerable.Range(0, masks.Count).Select(j => classes.Select(cls => o[j * runner.Classes + cls]).ToArray()).ToArray();
        }
        var none = new bool[d];
        var all = Enumerable.Repeat(true, d).ToArray();
        var ends = Eval([none, all]);
        f00Root = ends[0]; f11Root = ends[1];
        var dvalues = new double[tree.Nodes.Count][];
        for (int j = 0; j < dvalues.Length; j++) dvalues[j] = new double[k];
        var queue = new PriorityQueue<Item, (double, double)>();
        void Push(Item item) => queue.Enqueue(item, (-item.F11.Zip(item.F00, (a, b) => Math.Abs(a - b)).Max() * item.Weight, rng.NextDouble()));
        Push(new Item(none, f00Root, f11Root, 0, 1.0));
        int evals = 2;
        while (queue.Count > 0 && evals + 2 <= Options.MaxEvals)
        {
            var batch = new List<Item>();
            while (queue.Count > 0 && batch.Count < Options.BatchSize && evals + 2 * (batch.Count + 1) <= Options.MaxEvals)
            {
                var item = queue.Dequeue();
                if (tree.Nodes[item.Node].IsLeaf) { Add(dvalues[item.Node], item.F11, item.F00, item.Weight); continue; }
                batch.Add(item);
            }
            if (batch.Count == 0) continue;
            var masks = new List<bool[]>();
            foreach (var item in batch)
            {
                var node = tree.Nodes[item.Node];
                var m10 = (bool[])item.Shown.Clone(); tree.Mark(node.Left, m10);
                var m01 = (bool[])item.Shown.Clone(); tree.Mark(node.Right, m01);
                masks.Add(m10); masks.Add(m01);
            }
            var f = Eval(masks);
            evals += masks.Count;
            for (int j = 0; j < batch.Count; j++)
            {
                var item = batch[j];
                var node = tree.Nodes[item.Node];
                var f10 = f[2 * j];
                var f01 = f[2 * j + 1];
                double half = item.Weight / 2;
                // Owen: each half is valued with its sibling hidden (context 0) and shown (context 1).
                Push(new Item(item.Shown, item.F00, f10, node.Left, half));
                Push(new Item(item.Shown, item.F00, f01, node.Right, half));
                Push(new Item(masks[2 * j + 1], f01, item.F11, node.Left, half));
                Push(new Item(masks[2 * j], f10, item.F11, node.Right, half));
            }
        }
        while (queue.Count > 0)
        {
            var item = queue.Dequeue();
            Add(dvalues[item.Node], item.F11, item.F00, item.Weight);
        }
        // Spread each node's credit over its elements in proportion to size, down to the leaves.
        var phi = new double[k][];
        for (int s = 0; s < k; s++) phi[s] = new double[d];
        var stack = new Stack<(int Node, double[] Credit)>();
        stack.Push((0, new double[k]));
        while (stack.Count > 0)
        {
            var (index, credit) = stack.Pop();
            var node = tree.Nodes[index];
            var total = dvalues[index].Zip(credit, (a, b) => a + b).ToArray();
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

    private static void Add(double[] target, double[] f11, double[] f00, double weight)
    {
        for (int s = 0; s < target.Length; s++) target[s] += (f11[s] - f00[s]) * weight;
    }
}

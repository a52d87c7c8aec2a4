using Glassbox.Attribution.Catalog;
using Glassbox.Attribution.Common;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Gradient;

/// <summary>How <see cref="NoiseTunnel"/> combines the attributions of the noisy copies (Captum's <c>nt_type</c>).</summary>
public enum NoiseTunnelType
{
    /// <summary>Mean (SmoothGrad, Smilkov et al. 2017): "smoothgrad".</summary>
    SmoothGrad,
    /// <summary>Mean of squares: "smoothgrad_sq".</summary>
    SmoothGradSquared,
    /// <summary>Variance E[a²] − E[a]² (VarGrad, Adebayo et al. 2018): "vargrad".</summary>
    VarGrad,
}

/// <summary>What a noise-tunnel explanation ran with: the tunnel's options and the wrapped method's settings.</summary>
/// <param name="Tunnel">The noise tunnel's options.</param>
/// <param name="Method">The wrapped method's settings.</param>
public sealed record NoiseTunnelSettings(NoiseTunnelOptions Tunnel, object Method);

/// <summary>Settings for <see cref="NoiseTunnel"/> (Captum's defaults).</summary>
/// <param name="Type">Combination of the noisy attributions (Captum <c>nt_type</c>, default smoothgrad).</param>
/// <param name="Samples">Noisy copies per input (Captum <c>nt_samples</c>, default 5).</param>
/// <param name="Stdevs">Standard deviation of the Gaussian noise in pixel units (Captum <c>stdevs</c>, default 1.0).</param>
/// <param name="SamplesBatchSize">Noisy copies passed to the inner method per call (Captum <c>nt_samples_batch_size</c>); null = all copies of all inputs, at most 512 per call.</param>
/// <param name="Seed">Seed of the noise.</param>
public sealed record NoiseTunnelOptions(
    [property: Option("nt-type", Reference = "nt_type", Help = "Wrap the method in a noise tunnel: smoothgrad, smoothgrad_sq or vargrad")] NoiseTunnelType Type = NoiseTunnelType.SmoothGrad,
    [property: Option("nt-samples", Reference = "nt_samples", Min = 1, Max = 100000, Help = "Noisy copies per input")] int Samples = 5,
    [property: Option("nt-stdevs", Reference = "stdevs", Min = 0, Help = "Standard deviation of the noise, in pixel units")] double Stdevs = 1.0,
    int? SamplesBatchSize = null,
    [property: Option("seed", Help = "Seed of the random draws")] int Seed = 0);

/// <summary>
/// Noise tunnel over any attribution method, as Captum's <c>NoiseTunnel</c>: attributions of
/// <c>x + N(0, stdevs²)</c> for nt_samples noisy copies of each input, combined by mean (SmoothGrad; Smilkov et al.
/// 2017, "SmoothGrad: removing noise by adding noise"), mean of squares, or variance (VarGrad; Adebayo et al. 2018,
/// "Sanity Checks for Saliency Maps"). The copies are not clipped to [0,1] (as in Captum). The inner method runs on
/// batches of noisy copies with each input's targets repeated per copy. For smoothgrad, outputs and base values are
/// the means over the copies, so the inner method's delta carries over; the squared variants report no delta.
/// </summary>
public sealed class NoiseTunnel : IAttributionMethod
{
    private const int DefaultCopiesPerCall = 512;
    private readonly IAttributionMethod _inner;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public NoiseTunnel(IAttributionMethod inner, NoiseTunnelOptions? options = null)
    {
        _inner = inner;
        Options = options ?? new NoiseTunnelOptions();
        GradientPass.AtLeast("nt_samples", Options.Samples, 1);
        if (Options.SamplesBatchSize is int b) GradientPass.AtLeast("nt_samples_batch_size", b, 1);
        GradientPass.NonNegative("The noise tunnel's stdevs", Options.Stdevs);
    }

    /// <summary>The settings in use.</summary>
    public NoiseTunnelOptions Options { get; }

    /// <summary>The wrapped method.</summary>
    public IAttributionMethod Inner => _inner;

    /// <inheritdoc />
    public string Name => "noise-tunnel";

    /// <summary>Captum's nt_type names, in enum order.</summary>
    public static IReadOnlyList<string> TypeNames { get; } = ["smoothgrad", "smoothgrad_sq", "vargrad"];

    /// <summary>Parses Captum's nt_type names ("smoothgrad", "smoothgrad_sq", "vargrad"), or throws a <see cref="GlassboxException"/>.</summary>
    public static NoiseTunnelType ParseType(string name)
    {
        int i = Array.IndexOf([.. TypeNames], name.Trim().ToLowerInvariant().Replace('-', '_'));
        return i >= 0 ? (NoiseTunnelType)i
            : throw new GlassboxException($"Unknown noise tunnel type '{name}'. Use smoothgrad, smoothgrad_sq or vargrad.");
    }

    /// <summary>The Captum name of <paramref name="type"/>.</summary>
    public static string TypeName(NoiseTunnelType type) => TypeNames[(int)type];

    /// <inheritdoc />
    public Explanation Attribute(Tensor inputs, TargetSelection targets, IProgress<(int Done, int Total)>? progress = null, CancellationToken cancel = default)
    {
        if (inputs.dim() != 4 || inputs.shape[0] < 1)
            throw new GlassboxException($"Expected N×C×H×W images, got shape {string.Join("×", inputs.shape)}.");
        InputChecks.Finite(inputs, "input images");
        int n = (int)inputs.shape[0], s = Options.Samples;
        long c = inputs.shape[1], h = inputs.shape[2], w = inputs.shape[3];
        // Every class: passed on as is (K is learnt from the first call). Otherwise the rows are read here (with an
        // unbounded class count) and the inner method checks the class ranges.
        bool all = targets.Equals(TargetSelection.AllClasses);
        int[]? table = all ? null : targets.Resolve(n, int.MaxValue, out _);
        int k = 0;
        long d = c * h * w;
        long total = (long)n * s;
        int perCall = Options.SamplesBatchSize ?? (int)Math.Min(total, DefaultCopiesPerCall);

        using var scope = torch.NewDisposeScope();
        var x = inputs.detach();
        Tensor? sum = null, sumSq = null;
        double[] outSum = [], baseSum = [];
        int[] resultTargets = [];
        Explanation? last = null;
        using var generator = Options.Stdevs > 0 ? new torch.Generator((ulong)Options.Seed, x.device) : null;
        var noise = new Dictionary<int, Tensor>();
        int nextNoise = 0;
        try
        {
            for (long start = 0; start < total; start += perCall)
            {
                cancel.ThrowIfCancellationRequested();
                using var chunkScope = torch.NewDisposeScope();
                long len = Math.Min(perCall, total - start);
                var owner = new long[len];
                for (long p = 0; p < len; p++) owner[p] = (start + p) / s;
                var ownerT = torch.tensor(owner, device: x.device);
                var copies = x.index_select(0, ownerT);
                if (generator is not null)
                {
                    int first = (int)owner[0], lastInput = (int)owner[^1];
                    foreach (int old in noise.Keys.Where(j => j < first).ToList())
                    {
                        noise[old].Dispose();
                        noise.Remove(old);
                    }
                    while (nextNoise <= lastInput)
                        noise[nextNoise++] = torch.randn([s, c, h, w], dtype: x.dtype, device: x.device, generator: generator)
                            .mul_(Options.Stdevs).DetachFromDisposeScope();
                    var parts = new List<Tensor>();
                    for (int j = first; j <= lastInput; j++)
                    {
                        long from = Math.Max(start, (long)j * s), to = Math.Min(start + len, (long)(j + 1) * s);
                        parts.Add(noise[j].narrow(0, from - (long)j * s, to - from));
                    }
                    copies = copies + torch.cat(parts, 0);
                }
                var innerTargets = table is null ? TargetSelection.AllClasses : InnerTargets(table, n, owner);
                var e = _inner.Attribute(copies, innerTargets, null, cancel);
                last = e;
                if (sum is null)
                {
                    k = e.TargetsPerInput;
                    sum = torch.zeros([n, k, d], dtype: ScalarType.Float64, device: x.device).MoveToOuterDisposeScope();
                    sumSq = torch.zeros([n, k, d], dtype: ScalarType.Float64, device: x.device).MoveToOuterDisposeScope();
                    outSum = new double[n * k];
                    baseSum = new double[n * k];
                    resultTargets = new int[n * k];
                }
                var a = torch.tensor(e.Values, [len, k, d]).to(x.device).to_type(ScalarType.Float64);
                sum.index_add_(0, ownerT, a, 1);
                sumSq!.index_add_(0, ownerT, a * a, 1);
                for (long p = 0; p < len; p++)
                    for (int slot = 0; slot < k; slot++)
                    {
                        int src = (int)(p * k + slot), dst = (int)(owner[p] * k + slot);
                        outSum[dst] += e.Outputs[src];
                        baseSum[dst] += e.BaseValues[src];
                        resultTargets[dst] = e.Targets[src];
                    }
                progress?.Report(((int)Math.Min(int.MaxValue, start + len), (int)Math.Min(int.MaxValue, total)));
            }
        }
        finally
        {
            foreach (var t in noise.Values) t.Dispose();
        }

        var mean = sum! / s;
        var meanSq = sumSq! / s;
        var combined = Options.Type switch
        {
            NoiseTunnelType.SmoothGrad => mean,
            NoiseTunnelType.SmoothGradSquared => meanSq,
            _ => meanSq - mean * mean,
        };
        var values = combined.to_type(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var outputs = outSum.Select(v => v / s).ToArray();
        var baseValues = baseSum.Select(v => v / s).ToArray();
        double[]? errors = null;
        if (Options.Type == NoiseTunnelType.SmoothGrad && last!.AdditivityErrors is not null)
        {
            errors = new double[n * k];
            for (int i = 0; i < n * k; i++)
            {
                double total2 = 0;
                foreach (float v in values.AsSpan((int)(i * d), (int)d)) total2 += v;
                errors[i] = Math.Abs(total2 - (outputs[i] - baseValues[i]));
            }
        }
        return new Explanation($"NoiseTunnel[{TypeName(Options.Type)}]({last!.Method})", new NoiseTunnelSettings(Options, last.Settings), values,
            [n, k, (int)c, (int)h, (int)w], resultTargets, last.Output, outputs, baseValues, errors,
            last.AdditivityTolerance, Options.Type == NoiseTunnelType.SmoothGrad && last.AdditivityGuaranteed);
    }

    // The targets of every noisy copy: the same class list for every input when the selection allows it, else per input.
    private static TargetSelection InnerTargets(int[] table, int n, long[] owner)
    {
        int k = table.Length / n;
        bool shared = true;
        for (int i = 1; i < n && shared; i++)
            for (int slot = 0; slot < k; slot++)
                if (table[i * k + slot] != table[slot]) { shared = false; break; }
        if (shared) return TargetSelection.Classes(table.AsSpan(0, k).ToArray());
        if (k != 1) throw new InvalidOperationException("Per-input targets have one class per input.");
        return TargetSelection.PerInput(owner.Select(j => table[j]).ToArray());
    }
}

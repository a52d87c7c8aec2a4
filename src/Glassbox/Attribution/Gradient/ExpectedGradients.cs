using Glassbox.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution.Gradient;

/// <summary>
/// The sampling estimator shared by <see cref="GradientShap"/> and <see cref="GradientExplainer"/> (expected gradients):
/// for each input x and each of S samples, a background row r, a point α ~ U(0,1) and optionally Gaussian noise
/// ε ~ N(0, σ²) give <c>x̃ = x + ε</c> and the term <c>(x̃ − r) ⊙ ∇f(r + α(x̃ − r))</c>; the attribution is their mean.
/// Draws come in a fixed order from the seed (per input: S background indices and α from <see cref="Random"/>, then
/// S×C×H×W noise from a seeded torch generator), so results do not depend on the internal batch size, and every
/// target class sees the same samples (as shap.GradientExplainer reseeds per output).
/// </summary>
internal sealed class ExpectedGradients
{
    private readonly IImageModel _model;
    private readonly int _samples;
    private readonly double _stdev;
    private readonly int _seed;

    public ExpectedGradients(IImageModel model, int samples, double stdev, int seed)
    {
        _model = model;
        _samples = samples;
        _stdev = stdev;
        _seed = seed;
    }

    /// <summary>Per-slot attributions N×C×H×W and the background index drawn for each (input, sample).</summary>
    public (Tensor[] Maps, int[] Drawn) Run(Tensor x, Tensor background, int[] targets, int k, int batch, Func<Tensor, Tensor>? transform,
        IProgress<(int Done, int Total)>? progress, CancellationToken cancel)
    {
        int n = (int)x.shape[0], s = _samples;
        long bgCount = background.shape[0];
        var rng = new Random(_seed);
        var drawn = new int[n * s];
        var alphaValues = new float[n * s];
        for (int i = 0; i < n * s; i++)
        {
            drawn[i] = rng.Next((int)bgCount);
            alphaValues[i] = (float)rng.NextDouble();
        }
        var drawnT = torch.tensor(drawn.Select(v => (long)v).ToArray(), device: x.device);
        var alphas = torch.tensor(alphaValues, device: x.device).to(x.dtype);
        var generator = _stdev > 0 ? new torch.Generator((ulong)_seed, x.device) : null;
        var noise = new Dictionary<int, Tensor>();
        int nextNoise = 0;

        try
        {
            var maps = GradientPass.Accumulate(_model, x, s, batch, targets, k, (start, len) =>
            {
                var (owner, _) = GradientPass.OwnerAndIndex(start, len, s, x.device);
                var xs = x.index_select(0, owner);
                if (generator is not null)
                {
                    int first = (int)(start / s), last = (int)((start + len - 1) / s);
                    foreach (int old in noise.Keys.Where(j => j < first).ToList())
                    {
                        noise[old].Dispose();
                        noise.Remove(old);
                    }
                    while (nextNoise <= last)
                    {
                        var e = torch.randn([s, x.shape[1], x.shape[2], x.shape[3]], dtype: x.dtype, device: x.device, generator: generator).mul_(_stdev);
                        noise[nextNoise++] = e.DetachFromDisposeScope();
                    }
                    var parts = new List<Tensor>();
                    for (int j = first; j <= last; j++)
                    {
                        long from = Math.Max(start, (long)j * s), to = Math.Min(start + len, (long)(j + 1) * s);
                        parts.Add(noise[j].narrow(0, from - (long)j * s, to - from));
                    }
                    xs = xs + torch.cat(parts, 0);
                }
                var r = background.index_select(0, drawnT.narrow(0, start, len));
                var delta = xs - r;
                var points = r + alphas.narrow(0, start, len).view(-1, 1, 1, 1) * delta;
                return (points, delta);
            }, transform, progress, cancel);
            foreach (var m in maps) m.div_(s);
            return (maps, drawn);
        }
        finally
        {
            foreach (var t in noise.Values) t.Dispose();
            generator?.Dispose();
        }
    }
}

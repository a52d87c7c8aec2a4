using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.Generation;
using Glassbox.Models;
using Glassbox.Tests.Training;
using Glassbox.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Tests.Generation.Explain;

/// <summary>A decoder with hand-set weights: G(z) = W z + b (pure linear) or sigmoid(W z + b), as 1×H×W images.</summary>
internal sealed class HandDecoder : IGenerativeModel
{
    private readonly Tensor _w, _b;
    private readonly nn.Module _module = nn.Identity();

    /// <summary>W is P×L (P = H·W pixels), b has P values.</summary>
    public HandDecoder(double[,] w, double[] b, int height, int width, bool sigmoid)
    {
        (Pixels, LatentSize) = (w.GetLength(0), w.GetLength(1));
        if (Pixels != height * width || b.Length != Pixels) throw new ArgumentException("shape");
        W = w;
        B = b;
        Height = height;
        Width = width;
        Sigmoid = sigmoid;
        var flat = new float[Pixels * LatentSize];
        for (int p = 0; p < Pixels; p++) for (int j = 0; j < LatentSize; j++) flat[p * LatentSize + j] = (float)w[p, j];
        _w = torch.tensor(flat, [Pixels, LatentSize]);
        _b = torch.tensor(b.Select(v => (float)v).ToArray());
    }

    public double[,] W { get; }
    public double[] B { get; }
    public bool Sigmoid { get; }
    public int Pixels { get; }
    public string Kind => "hand";
    public int LatentSize { get; }
    public int Classes => 0;
    public int Channels => 1;
    public int Height { get; }
    public int Width { get; }
    public nn.Module Module => _module;
    public void SetTraining(bool training) { }

    public Tensor Decode(Tensor latents, Tensor? labels = null)
    {
        if (latents.dim() != 2 || latents.shape[1] != LatentSize) throw new GlassboxException($"N×{LatentSize} codes expected.");
        using var scope = torch.NewDisposeScope();
        var y = torch.matmul(latents, _w.t()) + _b;
        if (Sigmoid) y = torch.sigmoid(y);
        return y.view(latents.shape[0], 1, Height, Width).MoveToOuterDisposeScope();
    }

    public GeneratedSamples Generate(int count, int seed, int? label = null)
    {
        using var g = new torch.Generator((ulong)seed);
        var z = torch.randn([count, LatentSize], generator: g);
        using var noGrad = torch.no_grad();
        return new GeneratedSamples(Decode(z), z);
    }

    /// <summary>The closed form of pixel p for code z (double precision).</summary>
    public double Pixel(double[] z, int p)
    {
        double a = B[p];
        for (int j = 0; j < LatentSize; j++) a += W[p, j] * z[j];
        return Sigmoid ? 1 / (1 + Math.Exp(-a)) : a;
    }

    /// <summary>∂G_p/∂z_j in closed form.</summary>
    public double Derivative(double[] z, int p, int j)
    {
        if (!Sigmoid) return W[p, j];
        double s = Pixel(z, p);
        return s * (1 - s) * W[p, j];
    }

    public void Dispose()
    {
        _w.Dispose();
        _b.Dispose();
        _module.Dispose();
    }

    /// <summary>A seeded random decoder.</summary>
    public static HandDecoder Random(int latent, int height, int width, bool sigmoid, int seed)
    {
        var rng = new Random(seed);
        var w = new double[height * width, latent];
        for (int p = 0; p < height * width; p++) for (int j = 0; j < latent; j++) w[p, j] = Math.Round(rng.NextDouble() * 2 - 1, 2);
        var b = Enumerable.Range(0, height * width).Select(_ => Math.Round(rng.NextDouble() - 0.5, 2)).ToArray();
        return new HandDecoder(w, b, height, width, sigmoid);
    }
}

/// <summary>A differentiable linear classifier over 1×H×W images: logits = V x + c.</summary>
internal sealed class HandClassifier : IImageModel
{
    private readonly Tensor _v, _c;

    public HandClassifier(double[,] v, double[] c, int height, int width)
    {
        V = v;
        C = c;
        int k = v.GetLength(0), d = v.GetLength(1);
        var flat = new float[k * d];
        for (int i = 0; i < k; i++) for (int e = 0; e < d; e++) flat[i * d + e] = (float)v[i, e];
        _v = torch.tensor(flat, [k, d]);
        _c = torch.tensor(c.Select(x => (float)x).ToArray());
        Info = new ModelInfo("hand-linear", 1, height, width, Enumerable.Range(0, k).Select(i => i.ToString()).ToArray());
    }

    public double[,] V { get; }
    public double[] C { get; }
    public ModelInfo Info { get; }
    public Device Device => CPU;
    public ModelKind Kind => ModelKind.BuiltIn;
    public bool SupportsGradients => true;
    public IReadOnlyList<nn.Module<Tensor, Tensor>>? Layers => null;
    public Tensor Preprocess(Tensor pixels) => pixels.alias();
    public Tensor Forward(Tensor pixels) => torch.matmul(pixels.flatten(1), _v.t()) + _c;

    public void Dispose()
    {
        _v.Dispose();
        _c.Dispose();
    }

    public static HandClassifier Random(int classes, int height, int width, int seed)
    {
        var rng = new Random(seed);
        var v = new double[classes, height * width];
        for (int i = 0; i < classes; i++) for (int e = 0; e < height * width; e++) v[i, e] = Math.Round(rng.NextDouble() * 2 - 1, 2);
        return new HandClassifier(v, Enumerable.Range(0, classes).Select(i => 0.1 * i).ToArray(), height, width);
    }
}

/// <summary>Tiny generators trained for one epoch on 256 sample images, (the DCGAN on 128), and a CNN trained for one epoch on 256, saved once per test run.</summary>
internal static class TinyCheckpoints
{
    private static readonly Lazy<string> Root = new(() =>
    {
        string root = Path.Combine(Path.GetTempPath(), "gb-latent-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var data = SampleData.Train.Take(256);
        var opts = new GeneratorTrainingOptions(Epochs: 1, BatchSize: 64, Seed: 1);
        using (var vae = new Vae(new VaeOptions(LatentSize: 8), 3))
            GeneratorCheckpoint.Save(Path.Combine(root, "vae"), vae, new GeneratorTrainer(opts).Train(vae, data));
        using (var gan = new Dcgan(new DcganOptions(LatentSize: 16), 3))
            GeneratorCheckpoint.Save(Path.Combine(root, "dcgan"), gan, new GeneratorTrainer(opts).Train(gan, data.Take(128)));
        torch.manual_seed(5);
        using (var cls = new ImageClassifier(new ModelInfo(Architecture.PooledCnn, 1, 28, 28, MnistFormat.DigitClassNames)))
        {
            var history = new Trainer(new TrainingOptions(Epochs: 1, BatchSize: 64, Seed: 0)).Train(cls, SampleData.Train.Take(256), null);
            Checkpoint.Save(Path.Combine(root, "classifier"), cls, history);
        }
        return root;
    });

    public static string Vae => Path.Combine(Root.Value, "vae");
    public static string Dcgan => Path.Combine(Root.Value, "dcgan");
    public static string Classifier => Path.Combine(Root.Value, "classifier");
}

using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Attribution;

/// <summary>
/// The reference input that attributions are measured against (Captum's <c>baselines</c>): zeros (default),
/// a constant, a Gaussian-blurred copy of the input, or given images (one for all inputs, one per input, or a
/// distribution of B images for methods that sample or average over baselines).
/// </summary>
public abstract record Baseline
{
    /// <summary>All-zero images (black).</summary>
    public static Baseline Zeros { get; } = new ConstantBaseline(0f);

    /// <summary>Every pixel set to <paramref name="value"/>.</summary>
    public static Baseline Constant(float value) => new ConstantBaseline(value);

    /// <summary>The input blurred with a Gaussian of standard deviation <paramref name="sigma"/> pixels (per channel).</summary>
    public static Baseline Blur(double sigma = 5.0) => new BlurBaseline(sigma);

    /// <summary>Given images: 1×C×H×W (shared), N×C×H×W (one per input) or B×C×H×W used as a distribution.</summary>
    public static Baseline FromImages(Tensor images) => new ImagesBaseline(images);

    /// <summary>A short description for settings and reports.</summary>
    public abstract string Describe();

    /// <summary>One baseline per input: N×C×H×W on the inputs' device.</summary>
    public Tensor PerInput(Tensor inputs)
    {
        long n = inputs.shape[0];
        switch (this)
        {
            case ConstantBaseline c:
                return torch.full_like(inputs, c.Value);
            case BlurBaseline b:
                return GaussianBlur(inputs, b.Sigma);
            case ImagesBaseline { Images: var img }:
                CheckShape(img, inputs);
                if (img.shape[0] == 1) return img.to(inputs.device).expand_as(inputs).contiguous();
                if (img.shape[0] == n) return img.to(inputs.device);
                throw new GlassboxException($"{img.shape[0]} baseline images were given for {n} inputs; give 1, or one per input, or use a method that samples a baseline distribution.");
            default:
                throw new InvalidOperationException("Unknown baseline.");
        }
    }

    /// <summary>The baseline distribution: B×C×H×W (a single image for constant and blur baselines, which depend on the input only through blur).</summary>
    public Tensor Distribution(Tensor inputs)
    {
        switch (this)
        {
            case ImagesBaseline { Images: var img }:
                CheckShape(img, inputs);
                return img.to(inputs.device);
            case ConstantBaseline c:
                return torch.full([1, inputs.shape[1], inputs.shape[2], inputs.shape[3]], c.Value, dtype: inputs.dtype, device: inputs.device);
            default:
                throw new GlassboxException($"A {Describe()} baseline depends on each input; methods that sample from a baseline distribution need baseline images (Baseline.FromImages).");
        }
    }

    private static void CheckShape(Tensor img, Tensor inputs)
    {
        if (img.dim() != 4 || img.shape[1] != inputs.shape[1] || img.shape[2] != inputs.shape[2] || img.shape[3] != inputs.shape[3])
            throw new GlassboxException($"Baseline images have shape {string.Join("×", img.shape)}; they must be B×{inputs.shape[1]}×{inputs.shape[2]}×{inputs.shape[3]}.");
    }

    /// <summary>Separable Gaussian blur (kernel radius 3σ, reflect padding), per channel.</summary>
    public static Tensor GaussianBlur(Tensor images, double sigma)
    {
        if (!(sigma > 0)) throw new GlassboxException($"Blur sigma must be positive, not {sigma}.");
        using var scope = torch.NewDisposeScope();
        long c = images.shape[1];
        int radius = Math.Max(1, (int)Math.Ceiling(3 * sigma));
        radius = (int)Math.Min(radius, Math.Min(images.shape[2], images.shape[3]) - 1);
        var k = new float[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) sum += k[i + radius] = (float)Math.Exp(-(i * i) / (2 * sigma * sigma));
        for (int i = 0; i < k.Length; i++) k[i] = (float)(k[i] / sum);
        var kernel = torch.tensor(k, device: images.device, dtype: images.dtype);
        var kh = kernel.reshape(1, 1, 1, k.Length).expand(c, 1, 1, k.Length);
        var kv = kernel.reshape(1, 1, k.Length, 1).expand(c, 1, k.Length, 1);
        var padded = nn.functional.pad(images, [radius, radius, 0, 0], PaddingModes.Reflect);
        var h = nn.functional.conv2d(padded, kh, groups: c);
        var padded2 = nn.functional.pad(h, [0, 0, radius, radius], PaddingModes.Reflect);
        return nn.functional.conv2d(padded2, kv, groups: c).MoveToOuterDisposeScope();
    }

    private sealed record ConstantBaseline(float Value) : Baseline
    {
        public override string Describe() => Value == 0 ? "zeros" : $"constant {Value}";
    }

    private sealed record BlurBaseline(double Sigma) : Baseline
    {
        public override string Describe() => $"blur (sigma {Sigma})";
    }

    private sealed record ImagesBaseline(Tensor Images) : Baseline
    {
        public override string Describe() => $"{Images.shape[0]} image(s)";
    }
}

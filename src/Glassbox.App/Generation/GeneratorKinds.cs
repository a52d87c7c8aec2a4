using TorchSharp;
using Glassbox.Generation;

namespace Glassbox.App.Generation;

/// <summary>The generator kinds the app trains: VAE (Kingma &amp; Welling 2014), β-VAE (Higgins et al. 2017), conditional VAE
/// (Sohn et al. 2015), DCGAN (Radford et al. 2016) and conditional DCGAN (Mirza &amp; Osindero 2014).</summary>
public static class GeneratorKinds
{
    /// <summary>Every accepted --kind value.</summary>
    public static IReadOnlyList<string> All { get; } = ["vae", "beta-vae", "cvae", "dcgan", "cdcgan"];

    /// <summary>Throws a <see cref="GlassboxException"/> naming the accepted kinds when <paramref name="kind"/> is not one.</summary>
    public static void Check(string kind)
    {
        if (!All.Contains(kind))
            throw new GlassboxException($"Unknown generator kind '{kind}'; use one of {string.Join(", ", All)}.");
    }

    /// <summary>Whether the kind conditions on the class.</summary>
    public static bool IsConditional(string kind) => kind is "cvae" or "cdcgan";

    /// <summary>Builds an untrained model of <paramref name="kind"/> for C×H×W images (classes used only by conditional kinds).</summary>
    public static IGenerativeModel Create(string kind, int channels, int height, int width, IReadOnlyList<string> classNames,
        int? latent, double? beta, int seed)
        => Create(kind, channels, height, width, classNames, latent, beta, seed, TorchSharp.torch.CPU);

    /// <summary>As <see cref="Create(string, int, int, int, IReadOnlyList{string}, int?, double?, int)"/>, with the weights moved to <paramref name="device"/>.</summary>
    public static IGenerativeModel Create(string kind, int channels, int height, int width, IReadOnlyList<string> classNames,
        int? latent, double? beta, int seed, TorchSharp.torch.Device device)
    {
        var model = Build(kind, channels, height, width, classNames, latent, beta, seed);
        if (device.type != TorchSharp.DeviceType.CPU) model.Module.to(device);
        return model;
    }

    private static IGenerativeModel Build(string kind, int channels, int height, int width, IReadOnlyList<string> classNames,
        int? latent, double? beta, int seed)
    {
        Check(kind);
        if (beta is not null && kind is not ("vae" or "beta-vae" or "cvae"))
            throw new GlassboxException($"--beta applies only to VAE kinds, not '{kind}'.");
        var classes = IsConditional(kind) ? classNames : null;
        if (kind is "dcgan" or "cdcgan")
        {
            var o = new DcganOptions(LatentSize: latent ?? 64, Channels: channels, Height: height, Width: width, ClassNames: classes);
            o.Validate();
            return new Dcgan(o, seed);
        }
        // β-VAE: Higgins et al. use β > 1 to favour disentangled latents; 4 is their MNIST-scale default.
        double b = beta ?? (kind == "beta-vae" ? 4.0 : 1.0);
        var v = new VaeOptions(LatentSize: latent ?? 16, Beta: b, Channels: channels, Height: height, Width: width, ClassNames: classes);
        v.Validate();
        return new Vae(v, seed);
    }
}

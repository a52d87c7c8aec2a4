using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Engine;

/// <summary>Device, thread count and seed for a run. Create one with <see cref="Create"/> before using TorchSharp.</summary>
public sealed record TorchContext(Device Device, int Threads, int Seed)
{
    /// <summary>
    /// Initialises the native runtime, resolves <paramref name="device"/> ("cpu", "cuda", "cuda:1", "auto"),
    /// sets the intra-op thread count (0 keeps libtorch's default) and seeds libtorch.
    /// </summary>
    public static TorchContext Create(string device = "cpu", int threads = 0, int seed = 0)
    {
        NativeRuntime.EnsureInitialized();
        Device dev = ResolveDevice(device);
        if (threads < 0) throw new GlassboxException($"Threads must be 0 (libtorch's default) or positive, not {threads}.");
        if (threads > 0) torch.set_num_threads(threads);
        torch.manual_seed(seed);
        return new TorchContext(dev, torch.get_num_threads(), seed);
    }

    /// <summary>
    /// The TorchSharp backend this library was built with: "cpu" (TorchSharp-cpu, the default) or "cuda" (TorchSharp's
    /// CUDA bundle), chosen by the MSBuild property <c>GlassboxBackend</c>.
    /// </summary>
    public static string Backend { get; } = typeof(TorchContext).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
        .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "GlassboxBackend")?.Value ?? "cpu";

    /// <summary>Parses a device name and checks that it is available.</summary>
    public static Device ResolveDevice(string device)
    {
        NativeRuntime.EnsureInitialized();
        string d = device.Trim().ToLowerInvariant();
        if (d == "auto") return torch.cuda.is_available() ? torch.CUDA : torch.CPU;
        if (d == "cpu") return torch.CPU;
        if (d.StartsWith("cuda", StringComparison.Ordinal))
        {
            if (Backend != "cuda")
                throw new GlassboxException(
                    $"Device '{device}' needs a CUDA build; this one uses TorchSharp-cpu. Build with 'dotnet build -c Release -p:GlassboxBackend=cuda' (TorchSharp's CUDA bundle, an NVIDIA driver) or use --device cpu.");
            if (!torch.cuda.is_available())
                throw new GlassboxException(
                    $"Device '{device}' was requested but libtorch finds no CUDA device (no NVIDIA GPU or driver on this machine). Use --device cpu or auto.");
            return torch.device(d);
        }
        throw new GlassboxException($"Unknown device '{device}'. Use cpu, cuda, cuda:N or auto.");
    }
}

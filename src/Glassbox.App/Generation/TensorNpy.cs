using Glassbox.IO;
using static TorchSharp.torch;

namespace Glassbox.App.Generation;

/// <summary>Writes a tensor (any device, any float type) as a float32 .npy of its own shape.</summary>
internal static class TensorNpy
{
    /// <summary>Writes <paramref name="t"/> to <paramref name="path"/> (atomically, as <see cref="NpyFile"/> does) and returns the path.</summary>
    public static string Write(string path, Tensor t)
    {
        using var cpu = t.detach().cpu().to_type(ScalarType.Float32).contiguous();
        NpyFile.Write(path, cpu.data<float>().ToArray(), cpu.shape.Select(d => (int)d).ToArray());
        return path;
    }
}

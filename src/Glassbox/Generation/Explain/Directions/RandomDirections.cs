using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Generation.Explain.Directions;

/// <summary>Random unit latent directions (isotropic Gaussian draws normalised): the baseline every method must beat.</summary>
public static class RandomDirections
{
    /// <summary><paramref name="count"/> random unit directions in a <paramref name="latentSize"/>-dimensional latent, seeded.</summary>
    public static LatentDirections Draw(int count, int latentSize, int seed)
    {
        if (count < 1) throw new GlassboxException($"Draw at least 1 random direction, not {count}.");
        if (latentSize < 1) throw new GlassboxException($"The latent needs at least 1 dimension, not {latentSize}.");
        using var g = new torch.Generator((ulong)(uint)seed);
        using var r = torch.randn([count, latentSize], ScalarType.Float64, generator: g);
        var vectors = DirectionMath.Rows(r).Select(v => DirectionMath.Unit(v, "random", fixSign: false)).ToArray();
        return new LatentDirections("random", vectors, vectors.Select(_ => 0.0).ToArray(), "none");
    }
}

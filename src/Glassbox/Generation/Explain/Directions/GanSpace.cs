using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Generation.Explain.Directions;

/// <summary>
/// GANSpace (Härkönen et al., NeurIPS 2020): principal components of features sampled from the generator. For an
/// intermediate layer (the paper's BigGAN recipe, used here for the first layer's activations y = relu(W z + b)),
/// the PCA basis V of y is transferred to the latent by linear regression of the codes on the PCA coordinates
/// x = Vᵀ(y − μ): U = argmin Σᵢ‖U xᵢ − zᵢ‖², and the unit columns of U are the latent directions.
/// </summary>
public static class GanSpace
{
    /// <summary>Samples <see cref="GanSpaceOptions.Samples"/> latents and decomposes <paramref name="layer"/>'s activations (or the latents).</summary>
    public static GanSpaceResult Compute(FirstLayer layer, GanSpaceOptions? options = null)
    {
        options ??= new GanSpaceOptions();
        options.Validate();
        using var g = new torch.Generator((ulong)(uint)options.Seed);
        using var z = torch.randn([options.Samples, layer.LatentSize], ScalarType.Float64, generator: g);
        if (options.Space == GanSpaceSpace.Latents) return Decompose(z, z, options);
        using var y = layer.Activations(z);
        return Decompose(y, z, options);
    }

    /// <summary>
    /// PCA of <paramref name="features"/> (N×D) and, when they are not the latents themselves, the regression of
    /// <paramref name="latents"/> (N×L) on the PCA coordinates that maps each component to a latent direction.
    /// </summary>
    public static GanSpaceResult Decompose(Tensor features, Tensor latents, GanSpaceOptions? options = null)
    {
        options ??= new GanSpaceOptions();
        options.Validate();
        if (features.dim() != 2 || latents.dim() != 2 || features.shape[0] != latents.shape[0])
            throw new GlassboxException($"GANSpace needs N×D features and N×L latents of the same N, not [{string.Join(", ", features.shape)}] and [{string.Join(", ", latents.shape)}].");
        long n = features.shape[0], d = features.shape[1];
        if (options.Count > Math.Min(n - 1, d))
            throw new GlassboxException($"GANSpace can find at most {Math.Min(n - 1, d)} components in {n} samples of {d} features, not {options.Count}.");
        using var scope = torch.NewDisposeScope();
        var y = DirectionMath.Float64(features);
        var z = DirectionMath.Float64(latents);
        if (!y.isfinite().all().item<bool>()) throw new GlassboxException("The features GANSpace decomposes contain NaN or infinite values.");
        var centred = y - y.mean([0], keepdim: true);
        double total = centred.square().sum().item<double>() / (n - 1);
        if (!(total > 0)) throw new GlassboxException("The sampled features do not vary: there are no principal components (the layer may be dead).");

        double[] variances;
        double[][] components;
        if (n - 1 < d)
        {
            // Fewer samples than features: eigen-decompose the N×N Gram matrix; V = Yᵀu / ‖Yᵀu‖.
            var (values, u) = DirectionMath.TopEigen(centred.matmul(centred.t()) / (n - 1), options.Count);
            variances = values;
            components = u.Select(ui =>
            {
                using var v = centred.t().matmul(torch.tensor(ui, ScalarType.Float64));
                return DirectionMath.Unit(v.data<double>().ToArray(), "GANSpace component");
            }).ToArray();
        }
        else (variances, components) = DirectionMath.TopEigen(centred.t().matmul(centred) / (n - 1), options.Count);
        if (variances.Any(v => !(v > 1e-12 * total)))
            throw new GlassboxException($"The sampled features vary along fewer than {options.Count} axes; ask for fewer GANSpace components.");

        bool self = ReferenceEquals(features, latents) || options.Space == GanSpaceSpace.Latents;
        if (self && d != z.shape[1]) throw new GlassboxException($"GANSpace on latents decomposes the codes themselves; the features have {d} columns, the latents {z.shape[1]}.");
        double[][] directions;
        if (self) directions = components;
        else
        {
            // Regression of z on the PCA coordinates x (centred, mutually orthogonal, so XᵀX is diagonal): uⱼ = Zᵀxⱼ / xⱼᵀxⱼ.
            var basis = DirectionMath.Matrix(components);
            var x = centred.matmul(basis.t());
            var u = z.t().matmul(x) / x.square().sum([0], keepdim: true);
            directions = DirectionMath.Rows(u.t()).Select(r => DirectionMath.Unit(r, "GANSpace latent")).ToArray();
        }
        var ratio = variances.Select(v => v / total).ToArray();
        return new GanSpaceResult(new LatentDirections("ganspace", directions, ratio, "explained-variance ratio"),
            components, variances, ratio, total, options.Space);
    }
}

using TorchSharp;
using static TorchSharp.torch;

namespace Glassbox.Generation.Explain.Directions;

/// <summary>
/// The generator's first layer, the Linear map from the latent that SeFa factorises and whose activations GANSpace
/// decomposes: <c>generator.fc</c> of a <see cref="Dcgan"/>, <c>decoder_input</c> of a <see cref="Vae"/>. Its
/// activations are relu(W_z·z + b + c_y), where W_z holds the weight's latent columns and c_y is the constant a
/// conditional generator's class adds (the label embedding or one-hot column times the label part of the weight).
/// </summary>
public sealed class FirstLayer
{
    private readonly double[] bias;

    private FirstLayer(double[][] latentWeight, double[] bias, string name)
    {
        LatentWeight = latentWeight;
        this.bias = bias;
        Name = name;
    }

    /// <summary>The state-dict name of the layer (e.g. <c>generator.fc</c>).</summary>
    public string Name { get; }

    /// <summary>W_z: one row per output unit, one column per latent dimension.</summary>
    public IReadOnlyList<double[]> LatentWeight { get; }

    /// <summary>Output units of the layer.</summary>
    public int Units => LatentWeight.Count;

    /// <summary>Latent dimensions.</summary>
    public int LatentSize => LatentWeight[0].Length;

    /// <summary>A first layer given by hand: <paramref name="weight"/> rows are output units, <paramref name="bias"/> one value per unit.</summary>
    public static FirstLayer FromWeights(IReadOnlyList<double[]> weight, IReadOnlyList<double> bias, string name = "layer")
    {
        if (weight.Count == 0 || weight[0].Length == 0) throw new GlassboxException("A first layer needs at least one output unit and one latent dimension.");
        if (weight.Any(r => r.Length != weight[0].Length)) throw new GlassboxException("Every row of the first layer's weight must have the latent's length.");
        if (bias.Count != weight.Count) throw new GlassboxException($"The first layer has {weight.Count} units but {bias.Count} biases.");
        if (weight.Any(r => r.Any(v => !double.IsFinite(v))) || bias.Any(v => !double.IsFinite(v)))
            throw new GlassboxException("The first layer's weights contain NaN or infinite values.");
        return new FirstLayer(weight.Select(r => r.ToArray()).ToArray(), bias.ToArray(), name);
    }

    /// <summary>
    /// The first layer of <paramref name="generator"/>; <paramref name="label"/> is the class a conditional generator
    /// is run with (its contribution becomes part of the bias).
    /// </summary>
    public static FirstLayer Of(IGenerativeModel generator, int? label = null)
    {
        string name = generator.Kind switch
        {
            "dcgan" => "generator.fc",
            "vae" => "decoder_input",
            _ => throw new GlassboxException($"Directions know the first layer of 'vae' and 'dcgan' generators, not of '{generator.Kind}'."),
        };
        var parameters = generator.Module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        if (!parameters.TryGetValue(name + ".weight", out var w) || !parameters.TryGetValue(name + ".bias", out var b))
            throw new GlassboxException($"The {generator.Kind} has no '{name}' layer to read directions from.");
        int latent = generator.LatentSize, classes = generator.Classes;
        if (classes > 0 && label is null or < 0) throw new GlassboxException($"This {generator.Kind} is conditional: give the class (0–{classes - 1}) its first layer runs with.");
        if (classes > 0 && label >= classes) throw new GlassboxException($"Class {label} is not one of the conditional {generator.Kind}'s classes 0–{classes - 1}.");
        if (classes == 0 && label is not null) throw new GlassboxException($"This {generator.Kind} is unconditional; give no class.");
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var weight = DirectionMath.Float64(w);
        var bias = DirectionMath.Float64(b);
        if (classes > 0)
        {
            var labelPart = weight.narrow(1, latent, weight.shape[1] - latent);
            Tensor code = generator.Kind == "dcgan"
                ? DirectionMath.Float64(parameters["generator.label_embedding.weight"])[label!.Value]
                : nn.functional.one_hot(torch.tensor((long)label!.Value), classes).to_type(ScalarType.Float64);
            bias = bias + labelPart.matmul(code);
        }
        return FromWeights(DirectionMath.Rows(weight.narrow(1, 0, latent)), bias.data<double>().ToArray(), name);
    }

    /// <summary>Activations relu(W_z·z + b) of latents <paramref name="latents"/> (N×L), as an N×units float64 tensor.</summary>
    public Tensor Activations(Tensor latents)
    {
        if (latents.dim() != 2 || latents.shape[1] != LatentSize)
            throw new GlassboxException($"Latents of shape [{string.Join(", ", latents.shape)}] do not fit the first layer: it takes N×{LatentSize}.");
        using var scope = torch.NewDisposeScope();
        var w = DirectionMath.Matrix(LatentWeight);
        var b = torch.tensor(bias, ScalarType.Float64);
        return nn.functional.relu(DirectionMath.Float64(latents).matmul(w.t()) + b).MoveToOuterDisposeScope();
    }
}

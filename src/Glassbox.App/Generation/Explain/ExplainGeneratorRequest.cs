namespace Glassbox.App.Generation.Explain;

/// <summary>What <c>glassbox explain-generator</c> was asked to do.</summary>
/// <param name="Generator">Generator checkpoint folder (from train-generator).</param>
/// <param name="What">The explanation kind (<see cref="GeneratorExplanations.Names"/>).</param>
/// <param name="Output">Output folder, written as one unit.</param>
/// <param name="Classifier">Classifier checkpoint (or any model path <c>ModelLoader</c> reads); required by the kinds that explain a classifier's view.</param>
/// <param name="Data">MNIST-format data folder (real images, or the synthetic factors set for disentanglement); null = the kind's default.</param>
/// <param name="Input">An .npy of images (N×C×H×W or N×H×W in [0, 1]) to explain or to start counterfactuals from, or (traversals, jacobian, latent-attribution) an N×L .npy of latent codes.</param>
/// <param name="Count">How many codes or images to explain.</param>
/// <param name="Seed">Seeds every random draw.</param>
/// <param name="Target">Target class (latent attribution, directions, counterfactuals); null = the kind's default.</param>
/// <param name="Options">Kind-specific settings as name → text (<c>--option steps=64</c>); unknown names are refused.</param>
public sealed record ExplainGeneratorRequest(
    string Generator, string What, string Output, string? Classifier = null, string? Data = null, string? Input = null,
    int Count = 8, int Seed = 0, int? Target = null, IReadOnlyDictionary<string, string>? Options = null)
{
    /// <summary>Most codes or images explained in one run.</summary>
    public const int MaxCount = 10_000;

    /// <summary>Throws a <see cref="GlassboxException"/> naming the first invalid setting (before anything is loaded).</summary>
    public void Validate()
    {
        OutputLayout.CheckFolderName(Output);
        if (string.IsNullOrWhiteSpace(Generator)) throw new GlassboxException("Pass the generator checkpoint with -m <folder>.");
        if (Count is < 1 or > MaxCount) throw new GlassboxException($"-n must be between 1 and {MaxCount}, not {Count}.");
        if (Target is < 0) throw new GlassboxException($"--target must be a class index (0 or more), not {Target}.");
        var kind = GeneratorExplanations.Find(What);
        foreach (string name in (Options ?? new Dictionary<string, string>()).Keys)
            if (!kind.Options.ContainsKey(name))
                throw new GlassboxException(kind.Options.Count == 0
                    ? $"--what {kind.What} takes no --option; '{name}' is not one of its settings."
                    : $"--what {kind.What} has no option '{name}'; its options are: {string.Join(", ", kind.Options.Keys)}.");
    }
}

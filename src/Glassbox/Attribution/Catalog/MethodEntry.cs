using Glassbox.Attribution.Gradient;
using Glassbox.Models;

namespace Glassbox.Attribution.Catalog;

/// <summary>What a method needs from the model.</summary>
public enum MethodRequirement
{
    /// <summary>Only forward passes (works on ONNX models).</summary>
    Forward,
    /// <summary>Input gradients (built-in, Sequential-spec and TorchScript models).</summary>
    Gradients,
    /// <summary>Visible layers for propagation rules (built-in and Sequential-spec models).</summary>
    Layers,
}

/// <summary>
/// One attribution method as the command line, the web app and the benchmark offer it: its name, family, what it
/// needs from the model, the schema of its options record, how to build it, and the raw passes it costs.
/// </summary>
public abstract class MethodEntry
{
    /// <summary>Flags every method accepts besides its own: the output space and the seed (ignored by deterministic methods).</summary>
    public static IReadOnlyList<string> CommonFlags { get; } = ["output", "seed"];

    /// <summary>The noise tunnel's options, which wrap any method when <c>--nt-type</c> is given.</summary>
    public static OptionSchema NoiseTunnelSchema { get; } = new(typeof(NoiseTunnelOptions));

    /// <summary>The flag of a baseline distribution (methods that average or sample over B baseline images).</summary>
    public static OptionField BaselinesField { get; } = new("baselines", "Baselines", "baselines", "baselines", "the background set",
        null, null, null, "Baseline distribution: a .npy of B images, or zeros / constant:V (one image)");

    private protected MethodEntry(string name, string family, string summary, MethodRequirement requirement, bool usesBaselineDistribution, Type optionsType)
    {
        Name = name;
        Family = family;
        Summary = summary;
        Requirement = requirement;
        UsesBaselineDistribution = usesBaselineDistribution;
        Schema = new OptionSchema(optionsType);
    }

    /// <summary>Command-line name (kebab-case), e.g. "integrated-gradients".</summary>
    public string Name { get; }
    /// <summary>The family folder it lives in: gradient, propagation, cam, perturbation or shapley.</summary>
    public string Family { get; }
    /// <summary>One line: what it computes and the paper.</summary>
    public string Summary { get; }
    /// <summary>What the model must support.</summary>
    public MethodRequirement Requirement { get; }
    /// <summary>True when the method averages or samples over B baseline images given to its constructor (a background set).</summary>
    public bool UsesBaselineDistribution { get; }
    /// <summary>The method's options.</summary>
    public OptionSchema Schema { get; }

    /// <summary>Every flag this method reads: its options, plus <c>baselines</c> for distribution methods.</summary>
    public IReadOnlyList<OptionField> Options => UsesBaselineDistribution ? [.. Schema.Fields, BaselinesField] : Schema.Fields;

    /// <summary>Builds the method from an options record of the entry's type and, for distribution methods, the baselines.</summary>
    public abstract IAttributionMethod Create(IImageModel model, object options, Baseline? baselines);

    /// <summary>The raw passes per image the method needs with <paramref name="options"/>.</summary>
    public abstract PassCost Cost(object options, CostContext context);

    /// <summary>
    /// Binds option text (flag without dashes → text, e.g. <c>n-steps → 50</c>) to this method's settings. Flags the
    /// method does not read are errors naming the flags it does read; the common flags output and seed apply where the
    /// record has them, and <c>nt-*</c> flags wrap the method in a noise tunnel.
    /// </summary>
    public MethodSettings Bind(IReadOnlyDictionary<string, string> text, OptionContext context)
    {
        text = text.ToDictionary(p => p.Key.TrimStart('-').ToLowerInvariant(), p => p.Value);
        foreach (var flag in text.Keys)
        {
            if (Schema.Has(flag) || CommonFlags.Contains(flag) || NoiseTunnelSchema.Has(flag)) continue;
            if (flag == BaselinesField.Flag && UsesBaselineDistribution) continue;
            var own = Options.Where(f => !CommonFlags.Contains(f.Flag)).Select(f => f.CommandLine).DefaultIfEmpty("no method options");
            throw new GlassboxException($"--{flag} does not apply to {Name}; it reads: {string.Join(", ", own)} (and --output, --seed, --nt-type/--nt-samples/--nt-stdevs).");
        }
        if (!Schema.Has("output") && text.TryGetValue("output", out var o)
            && (OutputSpace)OptionValues.Parse(typeof(OutputSpace), o, new OptionAttribute("output"), context) != OutputSpace.Logits)
            throw new GlassboxException($"{Name} explains the logits (relevance starts at the target logit); drop --output probabilities.");
        var options = Schema.Bind(text, context);
        NoiseTunnelOptions? tunnel = null;
        if (text.ContainsKey("nt-type")) tunnel = (NoiseTunnelOptions)NoiseTunnelSchema.Bind(text, context);
        else if (text.ContainsKey("nt-samples") || text.ContainsKey("nt-stdevs"))
            throw new GlassboxException("--nt-samples and --nt-stdevs configure the noise tunnel; add --nt-type smoothgrad|smoothgrad_sq|vargrad.");
        Baseline? baselines = UsesBaselineDistribution && text.TryGetValue(BaselinesField.Flag, out var b) ? OptionValues.ParseBaselines(b, context) : null;
        return new MethodSettings(this, options, tunnel, baselines);
    }

    /// <summary>As <see cref="Bind(IReadOnlyDictionary{string, string}, OptionContext)"/>, with the output space and seed given apart.</summary>
    public MethodSettings Bind(IReadOnlyDictionary<string, string> text, OptionContext context, OutputSpace output, int seed)
    {
        var all = text.ToDictionary(p => p.Key.TrimStart('-').ToLowerInvariant(), p => p.Value);
        all.TryAdd("output", OptionValues.Format(output));
        all.TryAdd("seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Bind(all, context);
    }

    /// <summary>An entry for a method with options record <typeparamref name="TOptions"/>.</summary>
    public static MethodEntry<TOptions> Of<TOptions>(string name, string family, string summary, MethodRequirement requirement,
        Func<IImageModel, TOptions, Baseline?, IAttributionMethod> create, Func<TOptions, CostContext, PassCost> cost,
        bool usesBaselineDistribution = false) where TOptions : class
        => new(name, family, summary, requirement, usesBaselineDistribution, create, cost);
}

/// <summary>A catalog entry whose options record is <typeparamref name="TOptions"/>.</summary>
public sealed class MethodEntry<TOptions> : MethodEntry where TOptions : class
{
    private readonly Func<IImageModel, TOptions, Baseline?, IAttributionMethod> _create;
    private readonly Func<TOptions, CostContext, PassCost> _cost;

    internal MethodEntry(string name, string family, string summary, MethodRequirement requirement, bool usesBaselineDistribution,
        Func<IImageModel, TOptions, Baseline?, IAttributionMethod> create, Func<TOptions, CostContext, PassCost> cost)
        : base(name, family, summary, requirement, usesBaselineDistribution, typeof(TOptions))
    {
        _create = create;
        _cost = cost;
    }

    /// <summary>Builds the method with typed options.</summary>
    public IAttributionMethod Create(IImageModel model, TOptions options, Baseline? baselines = null) => _create(model, options, baselines);

    /// <inheritdoc />
    public override IAttributionMethod Create(IImageModel model, object options, Baseline? baselines) => _create(model, Cast(options), baselines);

    /// <inheritdoc />
    public override PassCost Cost(object options, CostContext context) => _cost(Cast(options), context);

    private TOptions Cast(object options) => options as TOptions
        ?? throw new ArgumentException($"{Name} takes {typeof(TOptions).Name}, not {options.GetType().Name}.");
}

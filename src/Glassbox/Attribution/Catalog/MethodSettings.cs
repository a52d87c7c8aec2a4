using Glassbox.Attribution.Gradient;
using Glassbox.Models;

namespace Glassbox.Attribution.Catalog;

/// <summary>A method with its bound options: what to build, and with what.</summary>
/// <param name="Entry">The catalog entry.</param>
/// <param name="Options">The entry's options record.</param>
/// <param name="NoiseTunnel">Noise-tunnel options when the method is wrapped in one, else null.</param>
/// <param name="Baselines">The baseline distribution of a distribution method, or null to use the caller's default background.</param>
public sealed record MethodSettings(MethodEntry Entry, object Options, NoiseTunnelOptions? NoiseTunnel, Baseline? Baselines)
{
    /// <summary>Checks the model can run the method, then builds it (wrapped in the noise tunnel when asked).</summary>
    public IAttributionMethod Create(IImageModel model)
    {
        MethodCatalog.CheckModel(Entry, model);
        var method = Entry.Create(model, Options, Baselines);
        return NoiseTunnel is null ? method : new NoiseTunnel(method, NoiseTunnel);
    }

    /// <summary>Raw passes per image for <paramref name="targets"/> targets (the noise tunnel multiplies them by its samples).</summary>
    public PassCost Cost(ModelInfo info, int targets, IImageModel? model = null)
    {
        var context = new CostContext(info, targets, 1, model);
        var cost = Entry.Cost(Options, context with { Baselines = context.Count(Baselines) });
        return NoiseTunnel is null ? cost : cost with { PerImage = cost.PerImage * NoiseTunnel.Samples };
    }

    /// <summary>The settings as flag → text (the values every option has, defaults included), for reports and explanation.json.</summary>
    public IReadOnlyDictionary<string, string> Describe()
    {
        var d = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var f in Entry.Schema.Fields)
        {
            var value = Entry.Schema.RecordType.GetProperty(f.Property)!.GetValue(Options);
            d[f.Flag] = value is null ? f.Default ?? "null" : OptionValues.Format(value);
        }
        if (Entry.UsesBaselineDistribution) d["baselines"] = Baselines?.Describe() ?? "none";
        if (NoiseTunnel is not null)
            foreach (var f in MethodEntry.NoiseTunnelSchema.Fields)
                d[f.Flag] = OptionValues.Format(typeof(NoiseTunnelOptions).GetProperty(f.Property)!.GetValue(NoiseTunnel));
        return d;
    }
}

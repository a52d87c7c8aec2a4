namespace Glassbox.Visualization;

/// <summary>What a block of the force plot stands for.</summary>
public enum ForceItemKind
{
    /// <summary>One pixel group.</summary>
    Feature,

    /// <summary>Several small features of the same sign merged into one block.</summary>
    Merged,

    /// <summary>The part of output − base that the attributions do not explain.</summary>
    Residual,
}

/// <summary>One block of the force plot, spanning [<see cref="From"/>, <see cref="To"/>] on the output axis.</summary>
/// <param name="Id">Stable identifier used to link the block to its image region.</param>
/// <param name="Label">Location text, e.g. "rows 8–11, cols 12–15".</param>
/// <param name="Value">Contribution to the output.</param>
/// <param name="Kind">Feature, merged features or unexplained residual.</param>
/// <param name="Pixels">Indices y·W + x of the pixels it covers (empty for the residual).</param>
/// <param name="From">Left end on the output axis.</param>
/// <param name="To">Right end on the output axis.</param>
public sealed record ForceItem(int Id, string Label, double Value, ForceItemKind Kind, int[] Pixels, double From, double To);

/// <summary>The arranged force plot: red blocks end at f(x) from the left, blue blocks start at f(x) to the right.</summary>
/// <param name="Items">Blocks, positive ones first (farthest from f(x) first), then negative ones.</param>
/// <param name="BaseValue">Expected output.</param>
/// <param name="OutputValue">f(x).</param>
/// <param name="Residual">OutputValue − BaseValue − Σ feature values.</param>
/// <param name="ResidualShown">True when the residual exceeds the tolerance and appears as an item.</param>
public sealed record ForceLayout(IReadOnlyList<ForceItem> Items, double BaseValue, double OutputValue, double Residual, bool ResidualShown)
{
    /// <summary>Arranges grouped features of <paramref name="data"/> as SHAP's force plot does.</summary>
    public static ForceLayout Build(ForcePlotData data, ForcePlotOptions options)
    {
        data.Validate();
        if (options.MaxBlocks < 2) throw new GlassboxException($"MaxBlocks {options.MaxBlocks} must be at least 2.");
        var features = FeatureGrouping.Group(data.Attributions, data.C, data.H, data.W, options.Grouping);
        double total = features.Sum(f => f.Value);
        double residual = data.OutputValue - data.BaseValue - total;
        bool showResidual = Math.Abs(residual) > options.ResidualTolerance * Math.Max(1, Math.Abs(data.OutputValue));

        var ranked = features.Where(f => f.Value != 0).OrderByDescending(f => Math.Abs(f.Value)).ThenBy(f => f.Id).ToList();
        var kept = ranked.Take(options.MaxBlocks).Select(f => (f.Id, f.Label, f.Value, Kind: ForceItemKind.Feature, f.Pixels)).ToList();
        int nextId = features.Count;
        foreach (int sign in new[] { 1, -1 })
        {
            var rest = ranked.Skip(options.MaxBlocks).Where(f => Math.Sign(f.Value) == sign).ToList();
            if (rest.Count == 0) continue;
            string label = $"{rest.Count} other {(sign > 0 ? "positive" : "negative")} features";
            kept.Add((nextId++, label, rest.Sum(f => f.Value), ForceItemKind.Merged, rest.SelectMany(f => f.Pixels).ToArray()));
        }
        if (showResidual) kept.Add((nextId, "unexplained (residual)", residual, ForceItemKind.Residual, []));

        var items = new List<ForceItem>();
        // Positive blocks end at f(x): the largest sits next to f(x); merged and residual blocks sit farthest away.
        var positives = kept.Where(k => k.Value > 0).OrderBy(Order).ThenByDescending(k => k.Value).ToList();
        double cursor = data.OutputValue;
        var placed = new List<ForceItem>();
        foreach (var p in positives)
        {
            placed.Add(new ForceItem(p.Id, p.Label, p.Value, p.Kind, p.Pixels, cursor - p.Value, cursor));
            cursor -= p.Value;
        }
        placed.Reverse();
        items.AddRange(placed);
        cursor = data.OutputValue;
        foreach (var n in kept.Where(k => k.Value < 0).OrderBy(Order).ThenBy(k => k.Value))
        {
            items.Add(new ForceItem(n.Id, n.Label, n.Value, n.Kind, n.Pixels, cursor, cursor - n.Value));
            cursor -= n.Value;
        }
        return new ForceLayout(items, data.BaseValue, data.OutputValue, residual, showResidual);

        static int Order((int Id, string Label, double Value, ForceItemKind Kind, int[] Pixels) k) => (int)k.Kind;
    }

    /// <summary>Smallest and largest value the axis must show (base, f(x) and every block end).</summary>
    public (double Min, double Max) Extent()
    {
        double lo = Math.Min(BaseValue, OutputValue), hi = Math.Max(BaseValue, OutputValue);
        foreach (var item in Items) { lo = Math.Min(lo, item.From); hi = Math.Max(hi, item.To); }
        return (lo, hi);
    }
}

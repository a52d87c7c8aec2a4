namespace Glassbox.Visualization;

/// <summary>Inputs and attributions for <see cref="ImagePlot"/>: one row per input, K attribution panels per row.</summary>
/// <param name="Images">N×C×H×W display values in [0,1].</param>
/// <param name="Values">N×K×C×H×W attributions; each panel shows the sum over channels.</param>
/// <param name="N">Number of inputs (rows).</param>
/// <param name="K">Attribution panels per row (e.g. the top-k classes).</param>
/// <param name="C">Channels: 1 (gray) or 3 (RGB).</param>
/// <param name="H">Image height.</param>
/// <param name="W">Image width.</param>
/// <param name="PanelTitles">Per row, per panel, e.g. "7 (p=0.98)".</param>
/// <param name="RowLabels">Optional title over each input image; "Input" when null.</param>
public sealed record ImagePlotData(
    float[] Images, float[] Values, int N, int K, int C, int H, int W,
    string[][] PanelTitles, string[]? RowLabels = null)
{
    /// <summary>Throws a <see cref="GlassboxException"/> naming the first inconsistency.</summary>
    public void Validate()
    {
        if (K <= 0) throw new GlassboxException($"ImagePlotData.K is {K}; pass at least one attribution panel per row.");
        ImageShape.Check(Images.LongLength, C, H, W, "input images", N);
        ImageShape.Check(Values.LongLength, C, H, W, "attribution values", (long)N * K);
        if (PanelTitles.Length != N)
            throw new GlassboxException($"PanelTitles has {PanelTitles.Length} rows for {N} inputs; pass one title array per input.");
        for (int r = 0; r < N; r++)
            if (PanelTitles[r] is null || PanelTitles[r].Length != K)
                throw new GlassboxException($"PanelTitles[{r}] has {PanelTitles[r]?.Length ?? 0} titles for {K} panels; pass one title per panel.");
        if (RowLabels is not null && RowLabels.Length != N)
            throw new GlassboxException($"RowLabels has {RowLabels.Length} entries for {N} inputs; pass one per input or null.");
    }

    /// <summary>The attribution of panel <paramref name="k"/> in row <paramref name="row"/> at (y, x), summed over channels.</summary>
    public double SummedValue(int row, int k, int y, int x)
    {
        int plane = H * W;
        long start = ((long)row * K + k) * C * plane + y * W + x;
        double sum = 0;
        for (int c = 0; c < C; c++) sum += Values[start + c * plane];
        return sum;
    }
}

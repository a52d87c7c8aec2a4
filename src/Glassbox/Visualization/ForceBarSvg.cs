using System.Text;

namespace Glassbox.Visualization;

/// <summary>Draws a <see cref="ForceLayout"/> as an SVG force bar; the interactive form carries data-f hooks for the page script.</summary>
internal static class ForceBarSvg
{
    private const double Pad = 48;
    private const double RowHeight = 34;
    private const int MaxLabelRows = 4;
    private static readonly string Red = ShapColors.ToHex(ShapColors.Positive);
    private static readonly string Blue = ShapColors.ToHex(ShapColors.Negative);
    private const string Gray = "#8a8a8a";

    public static string Build(ForceLayout layout, ForcePlotData data, ForcePlotOptions options, bool standalone)
    {
        double width = Math.Max(360, options.Width);
        double top = standalone ? 44 : 0;
        var (lo, hi) = layout.Extent();
        double span = hi - lo;
        if (span <= 0) span = Math.Max(1, Math.Abs(hi));
        lo -= 0.06 * span; hi += 0.06 * span;
        double X(double v) => Pad + (v - lo) / (hi - lo) * (width - 2 * Pad);

        double barTop = top + 62, barBottom = top + 90;
        var labels = PlaceLabels(layout, options, X, width);
        int rows = labels.Count == 0 ? 0 : labels.Max(l => l.Row) + 1;
        double labelsTop = barBottom + 14;
        double keyY = labelsTop + rows * RowHeight + 18;
        double height = keyY + 12;

        var svg = new StringBuilder();
        string ns = standalone ? " xmlns=\"http://www.w3.org/2000/svg\"" : "";
        svg.Append($"<svg{ns} class=\"force\" width=\"{F(width)}\" height=\"{F(height)}\" viewBox=\"0 0 {F(width)} {F(height)}\" font-family=\"'DejaVu Sans', 'Segoe UI', Helvetica, Arial, sans-serif\">");
        svg.Append("<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#d0d0d0\"/><line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#707070\" stroke-width=\"2.5\"/></pattern></defs>");
        svg.Append($"<rect width=\"{F(width)}\" height=\"{F(height)}\" fill=\"#ffffff\"/>");
        if (standalone)
        {
            svg.Append($"<text x=\"{F(width / 2)}\" y=\"22\" text-anchor=\"middle\" font-size=\"16\" font-weight=\"bold\" fill=\"#222\">{Markup.Escape(ForcePlot.Title(data))}</text>");
        }

        // Axis with ticks, base value and f(x).
        double axisY = top + 56;
        svg.Append($"<line x1=\"{F(Pad)}\" y1=\"{F(axisY)}\" x2=\"{F(width - Pad)}\" y2=\"{F(axisY)}\" stroke=\"#b0b0b0\"/>");
        foreach (double t in AxisTicks.Nice(lo, hi))
        {
            svg.Append($"<line x1=\"{F(X(t))}\" y1=\"{F(axisY - 4)}\" x2=\"{F(X(t))}\" y2=\"{F(axisY)}\" stroke=\"#b0b0b0\"/>");
            svg.Append($"<text x=\"{F(X(t))}\" y=\"{F(axisY - 7)}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#888\">{Markup.Escape(NumberFormat.Compact(t))}</text>");
        }
        double bx = X(layout.BaseValue), fx = X(layout.OutputValue);
        svg.Append($"<line x1=\"{F(bx)}\" y1=\"{F(top + 20)}\" x2=\"{F(bx)}\" y2=\"{F(barBottom + 6)}\" stroke=\"#777\" stroke-dasharray=\"3,3\"/>");
        svg.Append(HeaderText(bx, top + 14, width, $"base value {NumberFormat.Compact(layout.BaseValue)}", "#666", false));
        svg.Append($"<line x1=\"{F(fx)}\" y1=\"{F(top + 38)}\" x2=\"{F(fx)}\" y2=\"{F(barBottom + 6)}\" stroke=\"#222\" stroke-width=\"1.5\"/>");
        svg.Append(HeaderText(fx, top + 33, width, $"f(x) = {NumberFormat.Compact(layout.OutputValue)}", "#111", true));

        foreach (var item in layout.Items)
            svg.Append(Block(item, X, barTop, barBottom, standalone));

        foreach (var label in labels)
        {
            var item = label.Item;
            string color = item.Kind == ForceItemKind.Residual ? "#555" : item.Value > 0 ? Red : Blue;
            double rowTop = labelsTop + label.Row * RowHeight;
            double x0 = Math.Min(X(item.From), X(item.To)), x1 = Math.Max(X(item.From), X(item.To));
            double anchor = x1 - x0 > 2 ? Math.Clamp((x0 + x1) / 2, x0 + 1, x1 - 1) : (x0 + x1) / 2;
            svg.Append($"<line x1=\"{F(anchor)}\" y1=\"{F(barBottom + 1)}\" x2=\"{F(label.X)}\" y2=\"{F(rowTop + 1)}\" stroke=\"{color}\" stroke-opacity=\"0.55\"/>");
            svg.Append($"<g{Hook(item, standalone)}><text x=\"{F(label.X)}\" y=\"{F(rowTop + 13)}\" text-anchor=\"middle\" font-size=\"12\" font-weight=\"bold\" fill=\"{color}\">{Markup.Escape(NumberFormat.Signed(item.Value))}</text>");
            svg.Append($"<text x=\"{F(label.X)}\" y=\"{F(rowTop + 27)}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#555\">{Markup.Escape(item.Label)}</text></g>");
        }

        svg.Append($"<text x=\"{F(Pad)}\" y=\"{F(keyY)}\" font-size=\"11\" fill=\"#666\"><tspan fill=\"{Red}\" font-weight=\"bold\">red</tspan> pushes the {Markup.Escape(data.OutputName)} higher, <tspan fill=\"{Blue}\" font-weight=\"bold\">blue</tspan> pushes it lower; widths are proportional to |value|");
        if (layout.ResidualShown) svg.Append("; <tspan font-weight=\"bold\" fill=\"#444\">hatched gray</tspan> is the part the attributions do not explain");
        svg.Append(".</text></svg>");
        return svg.ToString();
    }

    private static string HeaderText(double x, double y, double width, string text, string color, bool bold)
    {
        double half = text.Length * (bold ? 4.2 : 3.6);
        double cx = half + 4 <= width - half - 4 ? Math.Clamp(x, half + 4, width - half - 4) : width / 2;
        return $"<text x=\"{F(cx)}\" y=\"{F(y)}\" text-anchor=\"middle\" font-size=\"{(bold ? 14 : 12)}\"{(bold ? " font-weight=\"bold\"" : "")} fill=\"{color}\">{Markup.Escape(text)}</text>";
    }

    private static string Block(ForceItem item, Func<double, double> x, double top, double bottom, bool standalone)
    {
        double x0 = x(item.From), x1 = x(item.To), w = x1 - x0, mid = (top + bottom) / 2;
        double tip = Math.Min(7, Math.Max(0, w));
        string points = item.Value > 0
            ? $"{F(x0)},{F(top)} {F(x1)},{F(top)} {F(x1 + tip)},{F(mid)} {F(x1)},{F(bottom)} {F(x0)},{F(bottom)} {F(x0 + tip)},{F(mid)}"
            : $"{F(x0)},{F(top)} {F(x1)},{F(top)} {F(x1 - tip)},{F(mid)} {F(x1)},{F(bottom)} {F(x0)},{F(bottom)} {F(x0 - tip)},{F(mid)}";
        string fill = item.Kind == ForceItemKind.Residual ? "url(#hatch)" : item.Value > 0 ? Red : Blue;
        string opacity = item.Kind == ForceItemKind.Merged ? " fill-opacity=\"0.5\"" : "";
        string stroke = item.Kind == ForceItemKind.Residual ? " stroke=\"#555\" stroke-width=\"1\"" : w >= 3 ? " stroke=\"#ffffff\" stroke-width=\"1\"" : "";
        string title = $"{item.Label}: {NumberFormat.Signed(item.Value)}";
        return $"<g class=\"blk\"{Hook(item, standalone)}><polygon points=\"{points}\" fill=\"{fill}\"{opacity}{stroke}/><title>{Markup.Escape(title)}</title></g>";
    }

    private static string Hook(ForceItem item, bool standalone) => standalone ? "" :
        $" data-f=\"{item.Id}\" data-label=\"{Markup.Escape(item.Label)}\" data-value=\"{Markup.Escape(NumberFormat.Signed(item.Value))}\"";

    private sealed record PlacedLabel(ForceItem Item, double X, int Row, double Anchor, double Width)
    {
        public double Left => X - Width / 2;
        public double Right => X + Width / 2;

        /// <summary>x of the leader line as it passes the labels of <paramref name="row"/> (it runs from the bar to this label's row).</summary>
        public double LeaderAt(int row) => Anchor + (X - Anchor) * (row + 0.5) / (Row + 1.0);
    }

    /// <summary>True when <paramref name="a"/>'s box overlaps <paramref name="b"/>'s box or <paramref name="a"/>'s leader crosses <paramref name="b"/>.</summary>
    private static bool Collides(PlacedLabel a, PlacedLabel b)
    {
        if (a.Row == b.Row) return a.Left < b.Right + 4 && a.Right > b.Left - 4;
        if (b.Row < a.Row)
        {
            double lx = a.LeaderAt(b.Row);
            return lx > b.Left - 3 && lx < b.Right + 3;
        }
        return false;
    }

    private static List<PlacedLabel> PlaceLabels(ForceLayout layout, ForcePlotOptions options, Func<double, double> x, double width)
    {
        // The residual is never hidden, so it is placed first.
        var chosen = layout.Items.Where(i => i.Kind == ForceItemKind.Residual)
            .Concat(layout.Items.Where(i => i.Kind != ForceItemKind.Residual)
                .OrderByDescending(i => Math.Abs(i.Value)).Take(Math.Max(0, options.MaxLabels)))
            .ToList();

        // The largest features claim the first row; smaller ones go to the first row where neither the label nor its
        // leader line (from the block down to the label) runs into another label or leader.
        var placed = new List<PlacedLabel>();
        foreach (var item in chosen)
        {
            double w = Math.Max(NumberFormat.Signed(item.Value).Length * 7.6, item.Label.Length * 6.4) + 12;
            double anchor = (x(item.From) + x(item.To)) / 2;
            double cx = w / 2 + 2 <= width - w / 2 - 2 ? Math.Clamp(anchor, w / 2 + 2, width - w / 2 - 2) : width / 2;
            for (int row = 0; row < MaxLabelRows; row++)
            {
                var candidate = new PlacedLabel(item, cx, row, anchor, w);
                if (placed.Any(p => Collides(candidate, p) || Collides(p, candidate))) continue;
                placed.Add(candidate);
                break;
            }
        }
        return placed;
    }

    private static string F(double v) => NumberFormat.Invariant(v);
}

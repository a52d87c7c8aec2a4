using ScottPlot;

namespace Glassbox.Visualization.Charts;

/// <summary>Renders ScottPlot plots to PNG bytes.</summary>
public static class ChartPng
{
    /// <summary>Renders <paramref name="plot"/> at the given size.</summary>
    public static byte[] Render(Plot plot, int width, int height) => plot.GetImageBytes(width, height, ImageFormat.Png);

    /// <summary>Applies the house style: white background, light grid, the chosen font.</summary>
    public static void Style(Plot plot, ChartOptions options)
    {
        ChartFont.Apply(plot, options.FontOrDefault);
        plot.FigureBackground.Color = Colors.White;
        plot.DataBackground.Color = Colors.White;
        plot.Grid.MajorLineColor = Color.FromHex("#e6e6e6");
        plot.Axes.Title.Label.FontSize = 17;
        plot.Axes.Bottom.Label.FontSize = 14;
        plot.Axes.Left.Label.FontSize = 14;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 12;
        plot.Axes.Left.TickLabelStyle.FontSize = 12;
        plot.Legend.FontSize = 13;
    }

    /// <summary>Distinct, colour-blind-friendly series colours (Okabe–Ito).</summary>
    public static Color SeriesColor(int index) => (index % 7) switch
    {
        0 => Color.FromHex("#D55E00"),
        1 => Color.FromHex("#0072B2"),
        2 => Color.FromHex("#009E73"),
        3 => Color.FromHex("#CC79A7"),
        4 => Color.FromHex("#E69F00"),
        5 => Color.FromHex("#56B4E9"),
        _ => Color.FromHex("#000000"),
    };
}

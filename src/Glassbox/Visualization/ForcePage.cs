using System.Text;
using SkiaSharp;

namespace Glassbox.Visualization;

/// <summary>Assembles the interactive force plot page around the force bar SVG.</summary>
internal static class ForcePage
{
    private const string Css = """
        body{margin:0;background:#fff;color:#222;font-family:'DejaVu Sans','Segoe UI',Helvetica,Arial,sans-serif;}
        main{max-width:1280px;margin:0 auto;padding:20px 24px;}
        h1{font-size:20px;margin:0 0 4px;}
        .sub{color:#555;margin:0 0 16px;font-size:14px;}
        .warn{background:#fdecea;border-left:5px solid #c62828;color:#8e1b1b;padding:8px 12px;margin:0 0 14px;font-weight:bold;}
        .row{display:flex;gap:24px;align-items:flex-start;flex-wrap:wrap;}
        figure{margin:0;}
        .stack{position:relative;border:1px solid #ccc;}
        .stack img,.stack svg{position:absolute;left:0;top:0;width:100%;height:100%;image-rendering:pixelated;}
        .ov{opacity:0;transition:opacity .08s;}
        .ov.on{opacity:1;}
        .blk.on polygon{stroke:#111;stroke-width:2;}
        g.on text{text-decoration:underline;}
        figcaption{font-size:13px;color:#333;margin-top:8px;min-height:2.6em;max-width:280px;}
        .bar{flex:1 1 560px;min-width:0;}
        .bar svg{width:100%;height:auto;display:block;}
        label{font-size:13px;color:#444;display:block;margin-top:6px;}
        table{border-collapse:collapse;font-size:13px;margin-top:18px;}
        th,td{padding:4px 12px;border-bottom:1px solid #e4e4e4;text-align:left;}
        td.num{text-align:right;font-variant-numeric:tabular-nums;}
        tr.on{background:#fff4c2;}
        .pos{color:#d0073f;} .neg{color:#1565c0;}
        """;

    private const string Script = """
        (function(){
          var info=document.getElementById('info');var idle=info.textContent;
          function mark(id,on){document.querySelectorAll('[data-f="'+id+'"]').forEach(function(e){e.classList.toggle('on',on);});}
          function show(el){mark(el.getAttribute('data-f'),true);info.textContent=el.getAttribute('data-label')+': '+el.getAttribute('data-value');}
          function hide(el){mark(el.getAttribute('data-f'),false);info.textContent=idle;}
          document.querySelectorAll('[data-f]').forEach(function(el){
            el.addEventListener('mouseenter',function(){show(el);});
            el.addEventListener('mouseleave',function(){hide(el);});
          });
          var heat=document.getElementById('heat');var heatImg=document.getElementById('heatimg');
          heat.addEventListener('change',function(){heatImg.style.display=heat.checked?'block':'none';});
          var m=/^#f=(\d+)$/.exec(location.hash);
          if(m){var el=document.querySelector('[data-f="'+m[1]+'"]');if(el){show(el);}}
        })();
        """;

    public static string Build(ForcePlotData data, ForcePlotOptions options, ForceLayout layout, string barSvg)
    {
        int longSide = Math.Max(data.H, data.W);
        double displayScale = Math.Max(1, options.ImageDisplaySize) / (double)longSide;
        string w = NumberFormat.Invariant(data.W * displayScale), h = NumberFormat.Invariant(data.H * displayScale);
        string title = ForcePlot.Title(data);
        double explained = layout.OutputValue - layout.BaseValue - layout.Residual;

        var html = new StringBuilder();
        html.Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">");
        html.Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.Append($"<title>{Markup.Escape(title)}</title><style>{Css}</style></head><body><main>");
        html.Append($"<h1>{Markup.Escape(data.ClassName)}</h1>");
        html.Append($"<p class=\"sub\">f(x) = <b>{Markup.Escape(NumberFormat.Compact(layout.OutputValue))}</b> ({Markup.Escape(data.OutputName)})");
        html.Append($" &middot; base value = <b>{Markup.Escape(NumberFormat.Compact(layout.BaseValue))}</b>");
        html.Append($" &middot; sum of attributions = {Markup.Escape(NumberFormat.Signed(explained))}</p>");
        if (layout.ResidualShown)
            html.Append($"<p class=\"warn\">The attributions leave {Markup.Escape(NumberFormat.Signed(layout.Residual))} of f(x) &minus; base unexplained; it is drawn as a hatched gray block.</p>");

        html.Append("<div class=\"row\"><figure>");
        html.Append($"<div class=\"stack\" style=\"width:{w}px;height:{h}px\">");
        html.Append($"<img alt=\"input image\" src=\"{Markup.PngDataUri(PngImage.FromChw(data.Image, data.C, data.H, data.W))}\">");
        html.Append($"<img id=\"heatimg\" alt=\"attribution map\" style=\"display:none\" src=\"{Markup.PngDataUri(HeatMap(data))}\">");
        html.Append($"<svg viewBox=\"0 0 {data.W} {data.H}\" preserveAspectRatio=\"none\">");
        foreach (var item in layout.Items.Where(i => i.Pixels.Length > 0))
            html.Append(Overlay(item, data.W));
        html.Append("</svg></div>");
        html.Append("<label><input type=\"checkbox\" id=\"heat\"> show attribution map</label>");
        html.Append("<figcaption id=\"info\">Hover a block or the image to see a feature&#39;s region and value.</figcaption></figure>");
        html.Append($"<div class=\"bar\">{barSvg}</div></div>");

        html.Append(FeatureTable(layout, explained));
        html.Append($"<script>{Script}</script></main></body></html>");
        return html.ToString();
    }

    private static string Overlay(ForceItem item, int width)
    {
        string color = ShapColors.ToHex(item.Value > 0 ? ShapColors.Positive : ShapColors.Negative);
        var d = new StringBuilder();
        int top = int.MaxValue, left = int.MaxValue, bottom = -1, right = -1;
        foreach (int p in item.Pixels)
        {
            int y = p / width, x = p % width;
            top = Math.Min(top, y); bottom = Math.Max(bottom, y); left = Math.Min(left, x); right = Math.Max(right, x);
        }
        bool rectangle = item.Pixels.Distinct().Count() == (bottom - top + 1) * (right - left + 1);
        if (rectangle) d.Append($"M{left} {top}h{right - left + 1}v{bottom - top + 1}h{-(right - left + 1)}z");
        else foreach (int p in item.Pixels) d.Append($"M{p % width} {p / width}h1v1h-1z");
        return $"<path class=\"ov\" data-f=\"{item.Id}\" data-label=\"{Markup.Escape(item.Label)}\" data-value=\"{Markup.Escape(NumberFormat.Signed(item.Value))}\" d=\"{d}\" fill=\"{color}\" fill-opacity=\"0.45\" stroke=\"{color}\" stroke-width=\"2\" vector-effect=\"non-scaling-stroke\"/>";
    }

    private static string FeatureTable(ForceLayout layout, double explained)
    {
        double totalAbs = layout.Items.Sum(i => Math.Abs(i.Value));
        var rows = layout.Items.OrderByDescending(i => i.Kind == ForceItemKind.Residual).ThenByDescending(i => Math.Abs(i.Value)).Take(12);
        var t = new StringBuilder("<table><thead><tr><th>feature</th><th>value</th><th>share of |total|</th></tr></thead><tbody>");
        foreach (var item in rows)
        {
            string cls = item.Value > 0 ? "pos" : "neg";
            string share = totalAbs > 0 ? $"{100 * Math.Abs(item.Value) / totalAbs:0.0}%" : "–";
            t.Append($"<tr data-f=\"{item.Id}\" data-label=\"{Markup.Escape(item.Label)}\" data-value=\"{Markup.Escape(NumberFormat.Signed(item.Value))}\">");
            t.Append($"<td>{Markup.Escape(item.Label)}</td><td class=\"num {cls}\">{Markup.Escape(NumberFormat.Signed(item.Value))}</td><td class=\"num\">{share}</td></tr>");
        }
        t.Append($"</tbody></table>");
        return t.ToString();
    }

    private static byte[] HeatMap(ForcePlotData data)
    {
        var summed = new float[data.H * data.W];
        int plane = data.H * data.W;
        for (int c = 0; c < data.C; c++)
            for (int i = 0; i < plane; i++) summed[i] += data.Attributions[c * plane + i];
        double vmax = RobustScale.SymmetricMax(summed);
        using var bitmap = new SKBitmap(data.W, data.H, SKColorType.Rgba8888, SKAlphaType.Opaque);
        for (int y = 0; y < data.H; y++)
            for (int x = 0; x < data.W; x++)
            {
                byte g = ImageShape.ToByte(0.85 + 0.15 * ImageShape.Gray(data.Image, data.C, data.H, data.W, y, x));
                bitmap.SetPixel(x, y, ShapColors.Over(new SKColor(g, g, g), summed[y * data.W + x], vmax));
            }
        return PngImage.Encode(bitmap);
    }
}

using Glassbox.Visualization;
using static TorchSharp.torch;

namespace Glassbox.Generation;

/// <summary>Tiles generated or reconstructed images (N×C×H×W in [0, 1]) into one PNG, row by row.</summary>
public static class SampleGrid
{
    /// <summary>
    /// PNG bytes of <paramref name="images"/> laid out <paramref name="columns"/> per row with a 2-pixel black gap,
    /// each pixel enlarged <paramref name="scale"/> times.
    /// </summary>
    public static byte[] ToPng(Tensor images, int columns = 8, int scale = 2)
    {
        float[] grid = Tile(images, columns, out int height, out int width);
        return PngImage.FromChw(grid, (int)images.shape[1], height, width, scale);
    }

    /// <summary>
    /// The C×H′×W′ pixels of <paramref name="images"/> laid out <paramref name="columns"/> per row (at most N) with a
    /// 2-pixel black gap, clamped to [0, 1]: the picture <see cref="ToPng"/> encodes, for other encoders (GIF frames).
    /// </summary>
    public static float[] Tile(Tensor images, int columns, out int height, out int width)
    {
        if (images.dim() != 4 || images.shape[1] is not (1 or 3))
            throw new GlassboxException($"A sample grid takes N×C×H×W images with 1 or 3 channels, not shape [{string.Join(", ", images.shape)}].");
        if (columns < 1) throw new GlassboxException($"A sample grid needs at least 1 column, not {columns}.");
        int n = (int)images.shape[0], c = (int)images.shape[1], h = (int)images.shape[2], w = (int)images.shape[3];
        if (n == 0) throw new GlassboxException("A sample grid needs at least one image.");
        using var cpu = images.detach().cpu().to_type(ScalarType.Float32).clamp(0, 1).contiguous();
        float[] src = cpu.data<float>().ToArray();
        const int gap = 2;
        int cols = Math.Min(columns, n), rows = (n + cols - 1) / cols;
        height = rows * h + (rows - 1) * gap;
        width = cols * w + (cols - 1) * gap;
        var grid = new float[c * height * width];
        for (int i = 0; i < n; i++)
        {
            int oy = i / cols * (h + gap), ox = i % cols * (w + gap);
            for (int ch = 0; ch < c; ch++)
                for (int y = 0; y < h; y++)
                    Array.Copy(src, ((i * c + ch) * h + y) * w, grid, (ch * height + oy + y) * width + ox, w);
        }
        return grid;
    }
}

namespace Glassbox.Attribution.Shapley;

/// <summary>
/// The hierarchical partition of a C×H×W image that <c>shap.maskers.Image</c> builds (its <c>build_partition_tree</c>):
/// a box of elements is split in two along the height when it is at least as tall as wide and taller than one row, else
/// along the width when wider than one column, and across channels only once it is a single pixel; the first half (the
/// left child) gets ⌊side/2⌋. Recursively, down to single elements. Node 0 is the root.
/// </summary>
public sealed class ImagePartition
{
    /// <summary>One node: a box of elements and its two halves (−1 for a leaf).</summary>
    /// <param name="Y0">First row.</param>
    /// <param name="Y1">Row past the end.</param>
    /// <param name="X0">First column.</param>
    /// <param name="X1">Column past the end.</param>
    /// <param name="C0">First channel.</param>
    /// <param name="C1">Channel past the end.</param>
    /// <param name="Left">First half, or −1.</param>
    /// <param name="Right">Second half, or −1.</param>
    public readonly record struct Node(int Y0, int Y1, int X0, int X1, int C0, int C1, int Left, int Right)
    {
        /// <summary>Elements in the box.</summary>
        public int Size => (Y1 - Y0) * (X1 - X0) * (C1 - C0);

        /// <summary>True for a single element.</summary>
        public bool IsLeaf => Left < 0;
    }

    private readonly List<Node> _nodes = [];

    /// <summary>Builds the partition of a C×H×W image.</summary>
    public ImagePartition(int channels, int height, int width)
    {
        if (channels < 1 || height < 1 || width < 1) throw new GlassboxException($"Cannot partition an image of shape {channels}×{height}×{width}.");
        Channels = channels; Height = height; Width = width;
        Build(0, height, 0, width, 0, channels);
    }

    /// <summary>Channels.</summary>
    public int Channels { get; }
    /// <summary>Height.</summary>
    public int Height { get; }
    /// <summary>Width.</summary>
    public int Width { get; }

    /// <summary>All nodes (root first).</summary>
    public IReadOnlyList<Node> Nodes => _nodes;

    /// <summary>Sets <paramref name="mask"/>[e] = true for every C×H×W element e of node <paramref name="index"/>.</summary>
    public void Mark(int index, bool[] mask)
    {
        var n = _nodes[index];
        for (int c = n.C0; c < n.C1; c++)
            for (int y = n.Y0; y < n.Y1; y++)
                for (int x = n.X0; x < n.X1; x++) mask[(c * Height + y) * Width + x] = true;
    }

    private int Build(int y0, int y1, int x0, int x1, int c0, int c1)
    {
        int index = _nodes.Count;
        _nodes.Add(new Node(y0, y1, x0, x1, c0, c1, -1, -1));
        int hy = y1 - y0, wx = x1 - x0, dc = c1 - c0;
        if (hy == 1 && wx == 1 && dc == 1) return index;
        int left, right;
        if (hy >= wx && hy > 1)
        {
            int mid = y0 + hy / 2;
            left = Build(y0, mid, x0, x1, c0, c1); right = Build(mid, y1, x0, x1, c0, c1);
        }
        else if (wx > 1)
        {
            int mid = x0 + wx / 2;
            left = Build(y0, y1, x0, mid, c0, c1); right = Build(y0, y1, mid, x1, c0, c1);
        }
        else
        {
            int mid = c0 + dc / 2;
            left = Build(y0, y1, x0, x1, c0, mid); right = Build(y0, y1, x0, x1, mid, c1);
        }
        _nodes[index] = _nodes[index] with { Left = left, Right = right };
        return index;
    }
}

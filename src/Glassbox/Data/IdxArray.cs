namespace Glassbox.Data;

/// <summary>The content of an IDX file of unsigned bytes: its dimensions and its data in C order.</summary>
/// <param name="Dims">Size of each dimension, outermost first (for MNIST images: count, rows, columns).</param>
/// <param name="Data">The values, row-major, one byte each.</param>
internal sealed record IdxArray(int[] Dims, byte[] Data)
{
    /// <summary>Number of values that <see cref="Dims"/> describes.</summary>
    public long ElementCount => Dims.Aggregate(1L, (a, d) => a * d);
}

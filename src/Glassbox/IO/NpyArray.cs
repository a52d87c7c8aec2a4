namespace Glassbox.IO;

/// <summary>
/// An array read from a .npy file: its NumPy dtype in little-endian form (<c>&lt;f4</c>, <c>&lt;f8</c>,
/// <c>|u1</c>, <c>&lt;i4</c>, <c>&lt;i8</c>), its shape, and its values in C order as <c>float[]</c>,
/// <c>double[]</c>, <c>byte[]</c>, <c>int[]</c> or <c>long[]</c>.
/// </summary>
public sealed record NpyArray(string DType, int[] Shape, Array Data)
{
    /// <summary>Number of values (1 for shape ()).</summary>
    public long ElementCount => Shape.Aggregate(1L, (a, d) => a * d);

    /// <summary>The values converted to float32 (a float32 array is returned as is, not copied).</summary>
    public float[] ToFloat32() => Data switch
    {
        float[] f => f,
        double[] d => Array.ConvertAll(d, v => (float)v),
        byte[] b => Array.ConvertAll(b, v => (float)v),
        int[] i => Array.ConvertAll(i, v => (float)v),
        long[] l => Array.ConvertAll(l, v => (float)v),
        _ => throw new InvalidOperationException($"Unexpected array type {Data.GetType()}."),
    };
}

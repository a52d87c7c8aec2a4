using Glassbox.IO;

namespace Glassbox.Visualization;

/// <summary>
/// Encodes frames as an animated GIF89a (one global 256-colour table, LZW-compressed frames, NETSCAPE2.0 looping).
/// Written here because NuGet's GIF encoders are either unmaintained or (ImageSharp) advised against; SkiaSharp
/// decodes GIFs but cannot encode them. Gray images map to 256 grey levels exactly (v ↦ round(255·v)); colour images
/// to the 6×6×6 web-safe cube.
/// </summary>
public static class GifImage
{
    private const int MaxCodes = 4096;

    /// <summary>
    /// GIF bytes of <paramref name="frames"/> (each C×H×W in [0, 1], C = 1 or 3), every pixel enlarged to a
    /// <paramref name="scale"/>×<paramref name="scale"/> block, shown <paramref name="delayCentiseconds"/> each (the
    /// last one <paramref name="lastDelayCentiseconds"/>), looping forever.
    /// </summary>
    public static byte[] FromFrames(IReadOnlyList<float[]> frames, int channels, int height, int width, int scale = 1,
        int delayCentiseconds = 20, int lastDelayCentiseconds = 100)
    {
        if (frames.Count == 0) throw new GlassboxException("An animated GIF needs at least one frame.");
        if (channels is not (1 or 3)) throw new GlassboxException($"A GIF frame has 1 (gray) or 3 (RGB) channels, not {channels}.");
        if (scale < 1) throw new GlassboxException($"Scale {scale} must be at least 1.");
        if (delayCentiseconds is < 0 or > ushort.MaxValue || lastDelayCentiseconds is < 0 or > ushort.MaxValue)
            throw new GlassboxException($"GIF frame delays are 0–{ushort.MaxValue} hundredths of a second, not {delayCentiseconds} and {lastDelayCentiseconds}.");
        int w = width * scale, h = height * scale;
        if (w > ushort.MaxValue || h > ushort.MaxValue) throw new GlassboxException($"A GIF is at most {ushort.MaxValue} pixels wide and high, not {w}×{h}.");
        foreach (var f in frames) ImageShape.Check(f.Length, channels, height, width, "GIF frame");

        using var s = new MemoryStream();
        s.Write("GIF89a"u8);
        Short(s, w);
        Short(s, h);
        s.WriteByte(0xF7); // global colour table, 8 bits of colour resolution, 2^(7+1) entries
        s.WriteByte(0);    // background colour index
        s.WriteByte(0);    // no aspect ratio
        s.Write(Palette(channels));
        s.Write([0x21, 0xFF, 0x0B]);
        s.Write("NETSCAPE2.0"u8);
        s.Write([0x03, 0x01, 0x00, 0x00, 0x00]); // loop forever
        for (int i = 0; i < frames.Count; i++)
        {
            int delay = i == frames.Count - 1 ? lastDelayCentiseconds : delayCentiseconds;
            s.Write([0x21, 0xF9, 0x04, 0x04]); // graphic control: disposal "leave in place", no transparency
            Short(s, delay);
            s.Write([0x00, 0x00]);
            s.WriteByte(0x2C); // image descriptor: whole canvas, no local table, not interlaced
            Short(s, 0);
            Short(s, 0);
            Short(s, w);
            Short(s, h);
            s.WriteByte(0);
            s.WriteByte(8); // LZW minimum code size
            WriteSubBlocks(s, Lzw(Indices(frames[i], channels, height, width, scale)));
        }
        s.WriteByte(0x3B);
        return s.ToArray();
    }

    /// <summary>Writes GIF bytes to <paramref name="path"/> atomically.</summary>
    public static void Save(string path, byte[] gif) => AtomicFile.WriteAllBytes(path, gif);

    /// <summary>The colour a gray value or RGB triple is stored as (palette entry, as 0–255 RGB).</summary>
    internal static (byte R, byte G, byte B) Quantised(float r, float g, float b, int channels)
    {
        byte[] p = Palette(channels);
        int k = channels == 1 ? GrayIndex(r) : CubeIndex(r, g, b);
        return (p[3 * k], p[3 * k + 1], p[3 * k + 2]);
    }

    private static int GrayIndex(float v) => (int)Math.Round(Math.Clamp(float.IsNaN(v) ? 0f : v, 0f, 1f) * 255);

    private static int Level6(float v) => (int)Math.Round(Math.Clamp(float.IsNaN(v) ? 0f : v, 0f, 1f) * 5);

    private static int CubeIndex(float r, float g, float b) => 36 * Level6(r) + 6 * Level6(g) + Level6(b);

    private static byte[] Palette(int channels)
    {
        var p = new byte[768];
        for (int k = 0; k < 256; k++)
        {
            if (channels == 1) p[3 * k] = p[3 * k + 1] = p[3 * k + 2] = (byte)k;
            else if (k < 216)
            {
                p[3 * k] = (byte)(k / 36 * 51);
                p[3 * k + 1] = (byte)(k / 6 % 6 * 51);
                p[3 * k + 2] = (byte)(k % 6 * 51);
            }
        }
        return p;
    }

    private static byte[] Indices(float[] chw, int channels, int height, int width, int scale)
    {
        int w = width * scale, plane = height * width;
        var idx = new byte[w * height * scale];
        for (int y = 0; y < height * scale; y++)
            for (int x = 0; x < w; x++)
            {
                int p = y / scale * width + x / scale;
                idx[y * w + x] = (byte)(channels == 1 ? GrayIndex(chw[p]) : CubeIndex(chw[p], chw[plane + p], chw[2 * plane + p]));
            }
        return idx;
    }

    /// <summary>
    /// GIF's variable-width LZW (codes 9–12 bits, LSB first, clear = 256, end = 257). The width grows when the code
    /// just added reaches 2^width, matching the decoder that adds each entry one code later; a full table emits a
    /// clear code and starts over.
    /// </summary>
    private static byte[] Lzw(byte[] pixels)
    {
        const int clear = 256, end = 257;
        var output = new List<byte>(pixels.Length / 2 + 16);
        int bitBuffer = 0, bitCount = 0, codeSize = 9, next = 258;
        var table = new Dictionary<int, int>();
        void Emit(int code)
        {
            bitBuffer |= code << bitCount;
            bitCount += codeSize;
            while (bitCount >= 8)
            {
                output.Add((byte)(bitBuffer & 0xFF));
                bitBuffer >>= 8;
                bitCount -= 8;
            }
        }

        Emit(clear);
        int prefix = pixels[0];
        for (int i = 1; i < pixels.Length; i++)
        {
            int k = pixels[i];
            int key = (prefix << 8) | k;
            if (table.TryGetValue(key, out int code))
            {
                prefix = code;
                continue;
            }
            Emit(prefix);
            if (next < MaxCodes)
            {
                table[key] = next;
                if (next == 1 << codeSize && codeSize < 12) codeSize++;
                next++;
            }
            else
            {
                Emit(clear);
                table.Clear();
                codeSize = 9;
                next = 258;
            }
            prefix = k;
        }
        Emit(prefix);
        Emit(end);
        if (bitCount > 0) output.Add((byte)(bitBuffer & 0xFF));
        return output.ToArray();
    }

    private static void WriteSubBlocks(Stream s, byte[] data)
    {
        for (int o = 0; o < data.Length; o += 255)
        {
            int n = Math.Min(255, data.Length - o);
            s.WriteByte((byte)n);
            s.Write(data, o, n);
        }
        s.WriteByte(0);
    }

    private static void Short(Stream s, int v)
    {
        s.WriteByte((byte)(v & 0xFF));
        s.WriteByte((byte)(v >> 8));
    }
}

using SkiaSharp;

namespace Glassbox.Web.Jobs;

/// <summary>
/// Uploaded PNG/JPEG images, kept under the work folder by a random id. An upload is refused when it is larger than
/// the byte limit, not a PNG or JPEG by its header, or larger than the side limit by its header (checked before any
/// pixel is decoded).
/// </summary>
internal sealed class UploadStore(string folder, long maxBytes, int maxSide)
{
    /// <summary>Largest accepted upload in bytes.</summary>
    public long MaxBytes => maxBytes;

    /// <summary>Stores <paramref name="content"/> (at most <see cref="MaxBytes"/> bytes) and returns its id and size.</summary>
    public async Task<(string Id, int Width, int Height, string Format)> SaveAsync(Stream content, CancellationToken cancel)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await content.ReadAsync(chunk, cancel)) > 0)
        {
            if (buffer.Length + read > maxBytes)
                throw new UploadTooLargeException($"The upload is larger than {maxBytes / 1024} KB; send a smaller PNG or JPEG.");
            buffer.Write(chunk, 0, read);
        }
        buffer.Position = 0;
        using var codec = SKCodec.Create(buffer, out var result)
            ?? throw new GlassboxException($"The upload is not a PNG or JPEG image ({result}). Send a .png or .jpg file.");
        string ext = codec.EncodedFormat switch
        {
            SKEncodedImageFormat.Png => ".png",
            SKEncodedImageFormat.Jpeg => ".jpg",
            var f => throw new GlassboxException($"The upload is a {f} image; the explorer takes PNG or JPEG."),
        };
        int w = codec.Info.Width, h = codec.Info.Height;
        if (w < 1 || h < 1 || w > maxSide || h > maxSide)
            throw new GlassboxException($"The upload is {w}×{h} pixels; the explorer takes images of at most {maxSide}×{maxSide}. Resize it first.");
        Directory.CreateDirectory(folder);
        string id = Guid.NewGuid().ToString("N")[..16];
        await File.WriteAllBytesAsync(Path.Combine(folder, id + ext), buffer.ToArray(), cancel);
        return (id, w, h, ext[1..]);
    }

    /// <summary>The stored file of upload <paramref name="id"/>, or a <see cref="GlassboxException"/>.</summary>
    public string PathOf(string id)
    {
        if (id.Length != 16 || !id.All(char.IsAsciiHexDigitLower)) throw new GlassboxException($"'{id}' is not an upload id; POST the image to /api/uploads first.");
        foreach (string ext in new[] { ".png", ".jpg" })
        {
            string p = Path.Combine(folder, id + ext);
            if (File.Exists(p)) return p;
        }
        throw new GlassboxException($"There is no upload '{id}' (uploads are kept while the server runs); upload the image again.");
    }
}

/// <summary>An upload over the byte limit (answered with 413).</summary>
internal sealed class UploadTooLargeException(string message) : GlassboxException(message);

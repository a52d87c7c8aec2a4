using System.Security.Cryptography;
using System.Text;

namespace Glassbox.App;

/// <summary>
/// The SHA-256 that names a model in explanation.json, so a merge can tell shards of different models apart. A model that
/// is one file (an .onnx, a .pt without sidecar) is that file's SHA-256 (what <c>sha256sum</c> prints). A checkpoint folder,
/// or a file with siblings of the same stem (spec.json + spec.safetensors, model.pt + model.json), is the SHA-256 of the
/// lines "name␉sha256\n" of those files in ordinal name order (hidden files skipped).
/// </summary>
public static class ModelFingerprint
{
    /// <summary>The fingerprint of the model at <paramref name="path"/>, as 64 lowercase hex digits.</summary>
    public static string Sha256(string path)
    {
        string full = Path.GetFullPath(path);
        string[] files;
        if (Directory.Exists(full))
            files = Directory.GetFiles(full).Where(f => !Path.GetFileName(f).StartsWith('.')).ToArray();
        else if (File.Exists(full))
        {
            string stem = Path.GetFileNameWithoutExtension(full);
            files = Directory.GetFiles(Path.GetDirectoryName(full)!)
                .Where(f => Path.GetFileNameWithoutExtension(f) == stem && !Path.GetFileName(f).StartsWith('.')).ToArray();
        }
        else throw new GlassboxException($"Model '{path}' does not exist.");
        Array.Sort(files, StringComparer.Ordinal);
        if (files.Length == 1) return OfFile(files[0]);
        var manifest = new StringBuilder();
        foreach (var f in files) manifest.Append(Path.GetFileName(f)).Append('\t').Append(OfFile(f)).Append('\n');
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifest.ToString())));
    }

    /// <summary>The SHA-256 of <paramref name="values"/>' little-endian bytes (e.g. the sampled background).</summary>
    public static string Sha256(ReadOnlySpan<float> values)
    {
        var bytes = new byte[values.Length * sizeof(float)];
        for (int i = 0; i < values.Length; i++) System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>The SHA-256 of the lines of <paramref name="names"/> (the inputs' names, in order).</summary>
    public static string Sha256(IEnumerable<string> names)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var n in names) hash.AppendData(Encoding.UTF8.GetBytes(n + "\n"));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static string OfFile(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

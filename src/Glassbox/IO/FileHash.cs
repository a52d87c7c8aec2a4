using System.Security.Cryptography;

namespace Glassbox.IO;

/// <summary>Checksums of files.</summary>
internal static class FileHash
{
    /// <summary>The SHA-256 of the file's content as 64 lowercase hex digits.</summary>
    public static string Sha256Hex(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}

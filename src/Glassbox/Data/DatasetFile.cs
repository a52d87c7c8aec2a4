namespace Glassbox.Data;

/// <summary>One file of a downloadable data set: its name relative to the source's base URL and its SHA-256.</summary>
public sealed record DatasetFile
{
    /// <summary>Creates the entry; <paramref name="fileName"/> must be a plain file name and <paramref name="sha256"/> 64 hex digits.</summary>
    public DatasetFile(string fileName, string sha256)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(fileName);
        ArgumentNullException.ThrowIfNull(sha256);
        if (fileName != Path.GetFileName(fileName) || fileName is "." or "..")
            throw new GlassboxException($"Data set file name '{fileName}' must be a plain file name without folders.");
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigit))
            throw new GlassboxException($"SHA-256 '{sha256}' of '{fileName}' must be 64 hexadecimal digits.");
        FileName = fileName;
        Sha256 = sha256.ToLowerInvariant();
    }

    /// <summary>File name, appended to the source's base URL and used in the cache.</summary>
    public string FileName { get; }

    /// <summary>Expected SHA-256 of the file, lowercase hex.</summary>
    public string Sha256 { get; }
}

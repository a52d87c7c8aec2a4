namespace Glassbox.Data;

/// <summary>Progress of a data set download.</summary>
/// <param name="FileName">The file being fetched or checked.</param>
/// <param name="FileIndex">Its position (0-based) in the source's file list.</param>
/// <param name="FileCount">Number of files in the source.</param>
/// <param name="BytesReceived">Bytes of this file received so far (its size when it came from the cache).</param>
/// <param name="TotalBytes">Size of this file if the server announced it.</param>
/// <param name="FromCache">Whether the file was already cached with the right checksum.</param>
public sealed record DownloadProgress(string FileName, int FileIndex, int FileCount, long BytesReceived, long? TotalBytes, bool FromCache);

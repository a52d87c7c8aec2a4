using System.Security.Cryptography;
using Glassbox.IO;

namespace Glassbox.Data;

/// <summary>
/// Downloads data set files into a local cache, verifying each file's SHA-256 before it enters the cache:
/// a file is streamed to a temporary file beside its target, hashed, flushed, then renamed into place.
/// Cached files are verified on every call and downloaded again only if missing or changed.
/// </summary>
public sealed class DatasetDownloader
{
    private readonly HttpClient _http;
    private readonly string _cacheDir;

    /// <summary>Creates a downloader that uses <paramref name="http"/> and caches under <paramref name="cacheDir"/>.</summary>
    public DatasetDownloader(HttpClient http, string cacheDir)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentException.ThrowIfNullOrWhiteSpace(cacheDir);
        _http = http;
        _cacheDir = Path.GetFullPath(cacheDir);
    }

    /// <summary>The cache folder of <paramref name="source"/> (<c>cacheDir/name</c>).</summary>
    public string FolderOf(DatasetSource source) => Path.Combine(_cacheDir, source.Name);

    /// <summary>
    /// Makes sure every file of <paramref name="source"/> is in the cache with the right checksum, downloading
    /// those that are missing or wrong, and returns the folder that holds them.
    /// </summary>
    public async Task<string> DownloadAsync(DatasetSource source, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        string folder = FolderOf(source);
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new GlassboxException($"Cannot create the data set cache folder '{folder}': {e.Message}. Choose another cache folder.", e);
        }

        for (int i = 0; i < source.Files.Count; i++)
        {
            DatasetFile file = source.Files[i];
            string target = Path.Combine(folder, file.FileName);
            if (File.Exists(target) && FileHash.Sha256Hex(target) == file.Sha256)
            {
                progress?.Report(new DownloadProgress(file.FileName, i, source.Files.Count, new FileInfo(target).Length, new FileInfo(target).Length, FromCache: true));
                continue;
            }
            await FetchAsync(source, file, target, i, progress, cancellationToken).ConfigureAwait(false);
        }
        return folder;
    }

    private async Task FetchAsync(DatasetSource source, DatasetFile file, string target, int index, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        Uri uri = source.UriOf(file);
        string tmp = Path.Combine(Path.GetDirectoryName(target)!, $".{file.FileName}.{Environment.ProcessId}.{Guid.NewGuid():N}.part");
        try
        {
            string actual;
            using (HttpResponseMessage response = await SendAsync(uri, cancellationToken).ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode)
                    throw new GlassboxException($"Downloading '{file.FileName}' of {source.Name} from {uri} failed: HTTP {(int)response.StatusCode} {response.ReasonPhrase}. Check the URL or try again later.");
                long? total = response.Content.Headers.ContentLength;
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                await using (var output = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                await using (Stream input = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false))
                {
                    var buffer = new byte[1 << 16];
                    long received = 0;
                    int n;
                    while ((n = await ReadAsync(input, buffer, uri, cancellationToken).ConfigureAwait(false)) > 0)
                    {
                        hash.AppendData(buffer, 0, n);
                        await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                        received += n;
                        progress?.Report(new DownloadProgress(file.FileName, index, source.Files.Count, received, total, FromCache: false));
                    }
                    output.Flush(flushToDisk: true);
                }
                actual = Convert.ToHexStringLower(hash.GetHashAndReset());
            }
            if (actual != file.Sha256)
                throw new GlassboxException($"Checksum mismatch for '{file.FileName}' of {source.Name} downloaded from {uri}: expected SHA-256 {file.Sha256}, got {actual}; the file was not cached. The download may be corrupt or the mirror may have changed: try again or use another mirror.");
            File.Move(tmp, target, overwrite: true);
        }
        finally
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private async Task<HttpResponseMessage> SendAsync(Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            return await _http.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw new GlassboxException($"Cannot download {uri}: {e.Message}. Check the network connection, or copy the files into the cache folder by hand.", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new GlassboxException($"Downloading {uri} timed out. Try again, or copy the files into the cache folder by hand.", e);
        }
    }

    private static async Task<int> ReadAsync(Stream input, byte[] buffer, Uri uri, CancellationToken cancellationToken)
    {
        try
        {
            return await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new GlassboxException($"The download of {uri} broke off: {e.Message}. Try again.", e);
        }
    }
}

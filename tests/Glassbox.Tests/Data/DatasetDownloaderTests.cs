using Glassbox.Data;
using Glassbox.IO;
using Glassbox.Tests.IO;

namespace Glassbox.Tests.Data;

public class DatasetDownloaderTests
{
    private static readonly string[] SampleFiles =
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    private static (LoopbackFileServer Server, DatasetSource Source) ServeSample(string name = "mnist-sample")
    {
        var server = new LoopbackFileServer();
        var files = new List<DatasetFile>();
        foreach (string file in SampleFiles)
        {
            string path = Path.Combine(RepoPaths.MnistSample, file);
            server.Serve(file, File.ReadAllBytes(path));
            files.Add(new DatasetFile(file, FileHash.Sha256Hex(path)));
        }
        return (server, new DatasetSource(name, server.BaseUri, files));
    }

    private sealed class ListProgress : IProgress<DownloadProgress>
    {
        public List<DownloadProgress> Reports { get; } = [];
        public void Report(DownloadProgress value) { lock (Reports) Reports.Add(value); }
    }

    [Fact]
    public async Task Download_FetchesVerifiesAndLoads_ThenServesFromCache()
    {
        using var cache = new TempDirectory();
        var (server, source) = ServeSample();
        using (server)
        using (var http = new HttpClient())
        {
            var downloader = new DatasetDownloader(http, cache.Path);
            var progress = new ListProgress();
            string folder = await downloader.DownloadAsync(source, progress);
            Assert.Equal(Path.Combine(cache.Path, "mnist-sample"), folder);
            Assert.Equal(4, server.TotalRequests);
            Assert.Equal(2000, MnistFormat.LoadFolder(folder, "test").Count);
            Assert.Contains(progress.Reports, p => p.FileName == "train-images-idx3-ubyte.gz" && !p.FromCache && p.BytesReceived == p.TotalBytes);

            var second = new ListProgress();
            string again = await downloader.DownloadAsync(source, second);
            Assert.Equal(folder, again);
            Assert.Equal(4, server.TotalRequests);
            Assert.Equal(4, second.Reports.Count(p => p.FromCache));
            Assert.Equal(SampleFiles.Order(), Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        }
    }

    [Fact]
    public async Task Download_RejectsCorruptedFile_AndDoesNotCacheIt()
    {
        using var cache = new TempDirectory();
        var (server, source) = ServeSample();
        using (server)
        using (var http = new HttpClient())
        {
            byte[] corrupted = File.ReadAllBytes(Path.Combine(RepoPaths.MnistSample, "t10k-labels-idx1-ubyte.gz"));
            corrupted[corrupted.Length / 2] ^= 0x55;
            server.Serve("t10k-labels-idx1-ubyte.gz", corrupted);
            var downloader = new DatasetDownloader(http, cache.Path);

            var e = await Assert.ThrowsAsync<GlassboxException>(() => downloader.DownloadAsync(source));
            string expected = source.Files.Single(f => f.FileName == "t10k-labels-idx1-ubyte.gz").Sha256;
            Assert.Contains("Checksum mismatch for 't10k-labels-idx1-ubyte.gz'", e.Message);
            Assert.Contains($"expected SHA-256 {expected}", e.Message);
            Assert.Contains("got " + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(corrupted)), e.Message);
            Assert.Contains("the file was not cached", e.Message);
            string folder = downloader.FolderOf(source);
            Assert.False(File.Exists(Path.Combine(folder, "t10k-labels-idx1-ubyte.gz")));
            Assert.Empty(Directory.GetFiles(folder, "*.part", SearchOption.AllDirectories));
            Assert.Empty(Directory.GetFiles(folder, ".*"));
        }
    }

    [Fact]
    public async Task Download_ReplacesCachedFileWithWrongChecksum()
    {
        using var cache = new TempDirectory();
        var (server, source) = ServeSample();
        using (server)
        using (var http = new HttpClient())
        {
            var downloader = new DatasetDownloader(http, cache.Path);
            string folder = await downloader.DownloadAsync(source);
            string labels = Path.Combine(folder, "train-labels-idx1-ubyte.gz");
            File.WriteAllText(labels, "damaged");
            await downloader.DownloadAsync(source);
            Assert.Equal(5, server.TotalRequests);
            Assert.Equal(2, server.RequestsFor("train-labels-idx1-ubyte.gz"));
            Assert.Equal(source.Files.Single(f => f.FileName == "train-labels-idx1-ubyte.gz").Sha256, FileHash.Sha256Hex(labels));
        }
    }

    [Fact]
    public async Task Download_Cancelled_LeavesNothingInTheCache()
    {
        using var cache = new TempDirectory();
        var (server, source) = ServeSample();
        using (server)
        using (var http = new HttpClient())
        {
            var downloader = new DatasetDownloader(http, cache.Path);
            using var cts = new CancellationTokenSource();
            var progress = new CancelOnFirstReport(cts);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => downloader.DownloadAsync(source, progress, cts.Token));
            Assert.Empty(Directory.GetFiles(downloader.FolderOf(source)));
        }
    }

    private sealed class CancelOnFirstReport(CancellationTokenSource cts) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => cts.Cancel();
    }

    [Fact]
    public async Task Download_ReportsHttpErrors()
    {
        using var cache = new TempDirectory();
        using var server = new LoopbackFileServer();
        using var http = new HttpClient();
        var source = new DatasetSource("missing", server.BaseUri, [new DatasetFile("nothing.gz", new string('0', 64))]);
        var e = await Assert.ThrowsAsync<GlassboxException>(() => new DatasetDownloader(http, cache.Path).DownloadAsync(source));
        Assert.Contains("HTTP 404", e.Message);
        Assert.Empty(Directory.GetFiles(Path.Combine(cache.Path, "missing")));
    }

    [Fact]
    public void KnownSources_ListTheFourMnistFiles()
    {
        foreach (DatasetSource source in new[] { DatasetSource.Mnist, DatasetSource.FashionMnist })
        {
            Assert.Equal(SampleFiles.Order(), source.Files.Select(f => f.FileName).Order());
            Assert.All(source.Files, f => Assert.Equal(64, f.Sha256.Length));
        }
        Assert.Equal("https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz",
            DatasetSource.Mnist.UriOf(DatasetSource.Mnist.Files[0]).AbsoluteUri);
    }

    /// <summary>
    /// Debian's dataset-fashion-mnist ships the official files with a normalised gzip header (no file name,
    /// another time stamp). Putting back the original header (file name, time stamp 2017-08-31) must give files
    /// with the SHA-256 that <see cref="DatasetSource.FashionMnist"/> expects.
    /// </summary>
    [Fact]
    public void FashionMnistSource_Hashes_MatchDebianFilesWithOriginalGzipHeader()
    {
        const string folder = "/usr/share/datasets/fashion-mnist";
        if (!Directory.Exists(folder))
            return; // Debian's dataset-fashion-mnist is not installed on this machine.
        var mtimes = new Dictionary<string, uint>
        {
            ["train-images-idx3-ubyte.gz"] = 1504176606,
            ["train-labels-idx1-ubyte.gz"] = 1504176606,
            ["t10k-images-idx3-ubyte.gz"] = 1504176627,
            ["t10k-labels-idx1-ubyte.gz"] = 1504176627,
        };
        foreach (DatasetFile file in DatasetSource.FashionMnist.Files)
        {
            byte[] debian = File.ReadAllBytes(Path.Combine(folder, file.FileName));
            Assert.Equal(0, debian[3]); // no file name stored
            byte[] header = [0x1f, 0x8b, 8, 8, 0, 0, 0, 0, 0, 3];
            BitConverter.GetBytes(mtimes[file.FileName]).CopyTo(header, 4);
            byte[] name = System.Text.Encoding.ASCII.GetBytes(file.FileName[..^3] + "\0");
            byte[] original = [.. header, .. name, .. debian.AsSpan(10)];
            Assert.Equal(file.Sha256, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(original)));
        }
    }

    [Fact]
    public void DatasetFile_RejectsPathsAndBadHashes()
    {
        Assert.Throws<GlassboxException>(() => new DatasetFile("../evil.gz", new string('a', 64)));
        Assert.Throws<GlassboxException>(() => new DatasetFile("ok.gz", "abc"));
    }
}

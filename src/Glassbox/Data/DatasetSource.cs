namespace Glassbox.Data;

/// <summary>A downloadable data set: a name (its cache subfolder), a base URL and its files with their SHA-256.</summary>
public sealed record DatasetSource
{
    /// <summary>Creates a source; <paramref name="name"/> must be a plain folder name and <paramref name="baseUri"/> absolute.</summary>
    public DatasetSource(string name, Uri baseUri, IReadOnlyList<DatasetFile> files)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(baseUri);
        ArgumentNullException.ThrowIfNull(files);
        if (name != Path.GetFileName(name) || name is "." or "..")
            throw new GlassboxException($"Data set name '{name}' must be a plain folder name.");
        if (!baseUri.IsAbsoluteUri)
            throw new GlassboxException($"Base URL '{baseUri}' of data set '{name}' must be absolute.");
        if (files.Count == 0)
            throw new GlassboxException($"Data set '{name}' lists no files.");
        Name = name;
        BaseUri = baseUri.AbsoluteUri.EndsWith('/') ? baseUri : new Uri(baseUri.AbsoluteUri + "/");
        Files = files;
    }

    /// <summary>Name of the data set and of its folder in the cache.</summary>
    public string Name { get; }

    /// <summary>URL that the file names are appended to (always ends with '/').</summary>
    public Uri BaseUri { get; }

    /// <summary>The files to fetch.</summary>
    public IReadOnlyList<DatasetFile> Files { get; }

    /// <summary>URL of one file.</summary>
    internal Uri UriOf(DatasetFile file) => new(BaseUri, Uri.EscapeDataString(file.FileName));

    /// <summary>MNIST (LeCun, Cortes and Burges) from the PyTorch mirror; SHA-256 of the official gzip files.</summary>
    public static DatasetSource Mnist => new("mnist", new Uri("https://ossci-datasets.s3.amazonaws.com/mnist/"),
    [
        new("train-images-idx3-ubyte.gz", "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
        new("train-labels-idx1-ubyte.gz", "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
        new("t10k-images-idx3-ubyte.gz", "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
        new("t10k-labels-idx1-ubyte.gz", "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
    ]);

    /// <summary>Fashion-MNIST (Xiao, Rasul and Vollgraf, 2017) from Zalando's site; SHA-256 of the official gzip files.</summary>
    public static DatasetSource FashionMnist => new("fashion-mnist", new Uri("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
    [
        new("train-images-idx3-ubyte.gz", "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
        new("train-labels-idx1-ubyte.gz", "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
        new("t10k-images-idx3-ubyte.gz", "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
        new("t10k-labels-idx1-ubyte.gz", "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
    ]);
}

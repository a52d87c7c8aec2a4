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
    public Uri UriOf(DatasetFile file) => new(BaseUri, Uri.EscapeDataString(file.FileName));

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
        new("train-images-idx3-ubyte.gz", "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc"),
        new("train-labels-idx1-ubyte.gz", "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc"),
        new("t10k-images-idx3-ubyte.gz", "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229"),
        new("t10k-labels-idx1-ubyte.gz", "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf"),
    ]);
}

using System.Collections.Concurrent;
using Glassbox.Attribution.Catalog;
using Glassbox.Metrics;
using Glassbox.Models;
using Glassbox.Models.Sources;
using Glassbox.Web.Jobs;
using Glassbox.Web.Roots;

namespace Glassbox.Web.Api;

/// <summary>What the endpoints share: the roots, the catalogs, the uploads and the job queue.</summary>
internal sealed class Explorer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<(string, DateTime), ModelDescription> _described = new();

    public Explorer(GlassboxServerOptions options, string workFolder)
    {
        Options = options;
        Models = new ModelShelf(new RootFolder(options.ModelRoot, "model root"));
        Datasets = new DatasetShelf(new RootFolder(options.DataRoot, "data root"));
        Uploads = new UploadStore(Path.Combine(workFolder, "uploads"), options.MaxUploadBytes, options.MaxImageSide);
        Jobs = new JobQueue(Path.Combine(workFolder, "jobs"), options.Workers, options.QueueCapacity, options.JobTimeout, options.KeepFinishedJobs);
    }

    public GlassboxServerOptions Options { get; }
    public ModelShelf Models { get; }
    public DatasetShelf Datasets { get; }
    public UploadStore Uploads { get; }
    public JobQueue Jobs { get; }
    public MethodCatalog Methods => MethodCatalog.Default;
    public MetricCatalog Metrics { get; } = MetricCatalog.Default;

    /// <summary>A listed model's input size, classes and the methods it can run (the model is loaded once per file version).</summary>
    public ModelDescription Describe(string name)
    {
        var (listing, path) = Models.Get(name);
        if (listing.IsGenerator) return new ModelDescription(listing.Name, listing.Kind, null, [], []);
        var stamp = Directory.Exists(path) ? Directory.GetLastWriteTimeUtc(path) : File.GetLastWriteTimeUtc(path);
        return _described.GetOrAdd((path, stamp), _ =>
        {
            using var model = ModelLoader.Load(path);
            var usable = Methods.Entries.Where(e => MethodCatalog.CanRun(e, model)).Select(e => e.Name).ToArray();
            return new ModelDescription(listing.Name, model.Kind.ToString(), model.Info, model.Info.ClassNames.ToArray(), usable);
        });
    }

    public ValueTask DisposeAsync() => Jobs.DisposeAsync();
}

/// <summary>A model as GET /api/models/info shows it.</summary>
internal sealed record ModelDescription(string Name, string Kind, ModelInfo? Info, string[] ClassNames, string[] UsableMethods);

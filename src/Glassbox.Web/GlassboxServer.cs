using System.Net;
using System.Reflection;
using Glassbox.Engine;
using Glassbox.Web.Api;
using Glassbox.Web.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using BindingAddress = Microsoft.AspNetCore.Http.BindingAddress;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Glassbox.Web;

/// <summary>
/// The web explorer (<c>glassbox serve</c>): an ASP.NET Core app serving the embedded front end and the REST API
/// under /api (OpenAPI document at /api/openapi/v1.json). Explanations run as background jobs composed of the App
/// layer's stages; the server only resolves names inside the configured roots, enforces the limits and renders JSON.
/// </summary>
public sealed class GlassboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Explorer _explorer;
    private readonly string _work;
    private readonly bool _ownsWork;

    private GlassboxServer(WebApplication app, Explorer explorer, string work, bool ownsWork)
    {
        _app = app;
        _explorer = explorer;
        _work = work;
        _ownsWork = ownsWork;
    }

    /// <summary>The OpenAPI document's path.</summary>
    public const string OpenApiPath = "/api/openapi/v1.json";

    /// <summary>
    /// Builds the server for <paramref name="options"/> (checked first; bad options are a <see cref="GlassboxException"/>).
    /// <paramref name="log"/> receives one line per notable event (e.g. the warning for a non-loopback address).
    /// </summary>
    public static GlassboxServer Create(GlassboxServerOptions options, Action<string>? log = null)
    {
        options.Validate();
        NativeRuntime.EnsureInitialized();
        foreach (var url in NonLoopback(options.Urls))
            log?.Invoke($"WARNING: listening on {url}, beyond this machine: anyone who can reach it can run explanations and read every model and image under the roots. There is no authentication; use a loopback address (the default {GlassboxServerOptions.DefaultUrls}) or put an authenticating proxy in front.");
        bool ownsWork = options.WorkFolder is null;
        string work = options.WorkFolder ?? Path.Combine(Path.GetTempPath(), "glassbox-serve-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(work);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(options.Urls);
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = options.MaxUploadBytes + (64 << 10));
        builder.Services.Configure<FormOptions>(f => f.MultipartBodyLengthLimit = options.MaxUploadBytes + (64 << 10));
        builder.Services.AddOpenApi("v1", o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "Glassbox explorer API";
            doc.Info.Description = "Explain image classifiers from the browser: models, datasets, methods with their option schema, background jobs.";
            return Task.CompletedTask;
        }));
        var app = builder.Build();
        var explorer = new Explorer(options, work);

        app.Use(async (http, next) =>
        {
            try { await next(http); }
            catch (UploadTooLargeException e) { await Error(http, StatusCodes.Status413PayloadTooLarge, e.Message); }
            catch (GlassboxException e) { await Error(http, StatusCodes.Status400BadRequest, e.Message); }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                await Error(http, StatusCodes.Status413PayloadTooLarge, $"The request is larger than the upload limit ({options.MaxUploadBytes / 1024} KB).");
            }
            catch (BadHttpRequestException e) { await Error(http, e.StatusCode, e.Message); }
        });
        var files = new EmbeddedFileProvider(typeof(GlassboxServer).Assembly, "Glassbox.Web.wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        app.MapOpenApi("/api/openapi/{documentName}.json");
        ExplorerEndpoints.Map(app, explorer);
        return new GlassboxServer(app, explorer, work, ownsWork);
    }

    /// <summary>Starts listening; returns the bound addresses (a port 0 in the options is resolved here).</summary>
    public async Task<IReadOnlyList<string>> StartAsync(CancellationToken cancel = default)
    {
        await _app.StartAsync(cancel);
        return Addresses;
    }

    /// <summary>The addresses the server listens on.</summary>
    public IReadOnlyList<string> Addresses
        => _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];

    /// <summary>Completes when the host stops (Ctrl+C, SIGTERM) or <paramref name="cancel"/> fires.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancel = default) => _app.WaitForShutdownAsync(cancel);

    /// <summary>The URLs of <paramref name="urls"/> (semicolon-separated) that listen beyond loopback.</summary>
    public static IReadOnlyList<string> NonLoopback(string urls)
        => urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(u => !IsLoopback(u)).ToList();

    private static bool IsLoopback(string url)
    {
        var parsed = BindingAddress.Parse(url);
        if (parsed.IsUnixPipe) return true;
        string host = parsed.Host.Trim('[', ']');
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase)) return true;
        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }

    private static Task Error(HttpContext http, int status, string message)
    {
        if (http.Response.HasStarted) return Task.CompletedTask;
        http.Response.Clear();
        http.Response.StatusCode = status;
        return http.Response.WriteAsJsonAsync(new { error = message });
    }

    /// <summary>Stops the server, cancels running jobs and deletes the temporary work folder it made.</summary>
    public async ValueTask DisposeAsync()
    {
        try { await _app.StopAsync(TimeSpan.FromSeconds(10)); }
        catch (OperationCanceledException) { }
        await _explorer.DisposeAsync();
        await _app.DisposeAsync();
        if (_ownsWork)
        {
            try { Directory.Delete(_work, recursive: true); }
            catch (IOException) { }
        }
    }
}

using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using Glassbox.App;
using Glassbox.App.Generation;
using Glassbox.Metrics;
using Glassbox.Web.Jobs;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Glassbox.Web.Api;

/// <summary>The REST API under /api: catalogs, models, datasets, uploads and background jobs.</summary>
internal static class ExplorerEndpoints
{
    public static void Map(IEndpointRouteBuilder app, Explorer x)
    {
        var api = app.MapGroup("/api");

        api.MapGet("/methods", () => Results.Json(MethodSchemaJson.Of(x.Methods.Entries), MethodSchemaJson.Options))
            .WithSummary("The method catalog with each method's option schema (what `glassbox methods --json` prints).");

        api.MapGet("/metrics", () => x.Metrics.Entries
                .Where(e => e.Metric is IExplanationMetric and not IReexplainingMetric)
                .Select(e => new
                {
                    name = e.Name, category = e.Category.ToString(), summary = e.Summary, higherIsBetter = e.HigherIsBetter,
                    requires = e.Requirement.ToString().ToLowerInvariant(), byDefault = ExplainWork.DefaultMetrics.Contains(e.Name),
                }))
            .WithSummary("The single-map metrics an explain job can run; byDefault marks those run when a job names none.");

        api.MapGet("/models", () => x.Models.List().Select(m => new { name = m.Name, kind = m.Kind }))
            .WithSummary("Models under the model root: checkpoint folders, Sequential specs, TorchScript and ONNX files, generator checkpoints.");

        api.MapGet("/models/info", (string name) => x.Describe(name))
            .WithSummary("A model's input size, classes and the methods it can run.");

        api.MapGet("/datasets", () => x.Datasets.List().Select(d => new { name = d.Name, kind = d.Kind, count = x.Datasets.Count(d) }))
            .WithSummary("Dataset folders under the data root (MNIST format or one subfolder of PNG/JPEG images per class).");

        api.MapGet("/datasets/image", (string name, int index) =>
            {
                var d = x.Datasets.Get(name);
                var image = x.Datasets.Image(d, index);
                return image.File is { } file
                    ? Results.File(file, file.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? "image/png" : "image/jpeg")
                    : Results.File(ImagePng.Encode(image.Pixels!, image.Channels, image.Height, image.Width), "image/png");
            })
            .WithSummary("One dataset image as PNG (its label in the X-Label header).");

        api.MapGet("/datasets/label", (string name, int index) =>
            {
                var image = x.Datasets.Image(x.Datasets.Get(name), index);
                return new { label = image.Label, labelName = image.LabelName };
            })
            .WithSummary("One dataset image's label.");

        api.MapPost("/uploads", async (HttpRequest request, CancellationToken cancel) =>
            {
                if (!request.HasFormContentType) throw new GlassboxException("Send the image as multipart/form-data with a field named 'file'.");
                var form = await request.ReadFormAsync(cancel);
                var file = form.Files.GetFile("file") ?? throw new GlassboxException("The form has no field named 'file'; send the PNG or JPEG there.");
                if (file.Length > x.Uploads.MaxBytes) throw new UploadTooLargeException($"The upload is larger than {x.Uploads.MaxBytes / 1024} KB; send a smaller PNG or JPEG.");
                await using var stream = file.OpenReadStream();
                var (id, w, h, format) = await x.Uploads.SaveAsync(stream, cancel);
                return Results.Created($"/api/uploads/{id}", new { id, width = w, height = h, format });
            })
            .Accepts<IFormFile>("multipart/form-data")
            .WithSummary("Uploads a PNG or JPEG (size- and dimension-checked); returns its id for POST /api/jobs.");

        api.MapGet("/uploads/{id}", (string id) =>
            {
                string path = x.Uploads.PathOf(id);
                return Results.File(path, path.EndsWith(".png", StringComparison.Ordinal) ? "image/png" : "image/jpeg");
            })
            .WithSummary("An uploaded image.");

        api.MapPost("/jobs", (ExplainJobRequest r, HttpContext http) =>
            {
                var (entry, modelPath, background, metrics) = ExplainWork.Prepare(r, x.Models, x.Datasets, x.Methods, x.Metrics);
                if (r.Upload is { } u) x.Uploads.PathOf(u);
                else if (r.Dataset is { } d && r.Index is { } i) x.Datasets.Image(x.Datasets.Get(d), i);
                var job = x.Jobs.TryEnqueue("explain", (job, cancel) =>
                {
                    var input = ExplainWork.Input(r, x.Datasets, x.Uploads, job.Folder);
                    return ExplainWork.Run(r, entry, modelPath, input, background, x.Datasets, metrics, job.Folder, job, cancel);
                });
                return Admitted(job, http, x.Jobs);
            })
            .WithSummary("Starts an explanation in the background: 202 with the job id, or 429 with Retry-After when the queue is full.");

        api.MapPost("/generate", (GenerateJobRequest r, HttpContext http) =>
            {
                var (listing, path) = x.Models.Get(r.Model);
                if (!listing.IsGenerator) throw new GlassboxException($"'{r.Model}' is a classifier; POST /api/jobs explains it. /api/generate draws samples from a generator checkpoint.");
                if (r.Count is < 1 or > 256) throw new GlassboxException($"count must be 1..256, not {r.Count}.");
                var job = x.Jobs.TryEnqueue("generate", (job, cancel) =>
                {
                    string outFolder = Path.Combine(job.Folder, "out");
                    var result = GenerateJob.Run(new GenerateOptions(path, outFolder, r.Count, r.Class, r.Seed));
                    return new { model = r.Model, kind = result.Kind, count = result.Count, files = result.Files.Select(f => Path.GetFileName(f)).ToArray() };
                });
                return Admitted(job, http, x.Jobs);
            })
            .WithSummary("Draws a sample grid from a generator checkpoint in the background.");

        api.MapGet("/jobs/{id}", (string id) => x.Jobs.Get(id) is { } job ? Results.Json(job.Snapshot()) : NoJob(id))
            .WithSummary("A job's state, progress and (when done) result; poll it, or follow /events.");

        api.MapGet("/jobs/{id}/events", (string id, CancellationToken cancel) =>
                x.Jobs.Get(id) is { } job ? TypedResults.ServerSentEvents(Events(job, cancel)) : NoJob(id))
            .WithSummary("Server-sent events: one 'job' event per change (the same object as GET /api/jobs/{id}) until it ends.");

        api.MapDelete("/jobs/{id}", (string id) => x.Jobs.Cancel(id) ? Results.Accepted($"/api/jobs/{id}") : NoJob(id))
            .WithSummary("Cancels a job (a running one stops at its next chunk or pass).");

        api.MapGet("/jobs/{id}/files/{file}", (string id, string file) =>
            {
                if (x.Jobs.Get(id) is not { } job) return NoJob(id);
                if (!OutputLayout.ExplainFileNames.Contains(file) && file is not (GenerateJob.SamplesPng or GenerateJob.SamplesNpy or GenerateJob.LatentsNpy))
                    return Results.NotFound(new { error = $"'{file}' is not a file a job writes." });
                string path = Path.Combine(job.Folder, "out", file);
                if (!File.Exists(path)) return Results.NotFound(new { error = $"Job {id} has no {file} (not written by this method, or not finished)." });
                string type = Path.GetExtension(file) switch
                {
                    ".png" => "image/png", ".json" => "application/json", ".svg" => "image/svg+xml", ".html" => "text/html",
                    _ => "application/octet-stream",
                };
                return Results.File(path, type, fileDownloadName: type is "image/png" or "image/svg+xml" or "text/html" ? null : $"{id}-{file}");
            })
            .WithSummary("A file the job wrote (.npy arrays, image_plot.png, force plot, explanation.json, checks.json).");

        api.MapGet("/health", () => new { inFlight = x.Jobs.InFlight, capacity = x.Jobs.Capacity, workers = x.Options.Workers })
            .WithSummary("Jobs in flight and the queue's capacity.");
    }

    private static IResult Admitted(ExplorerJob? job, HttpContext http, JobQueue queue)
    {
        if (job is null)
        {
            http.Response.Headers.RetryAfter = queue.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Json(new { error = "The job queue is full; retry after the time in Retry-After." }, statusCode: StatusCodes.Status429TooManyRequests);
        }
        return Results.Accepted($"/api/jobs/{job.Id}", new { id = job.Id, events = $"/api/jobs/{job.Id}/events" });
    }

    private static IResult NoJob(string id) => Results.NotFound(new { error = $"There is no job '{id}' (finished jobs are kept for a while, then deleted)." });

    private static async IAsyncEnumerable<SseItem<object>> Events(ExplorerJob job, [EnumeratorCancellation] CancellationToken cancel)
    {
        long seen = -1;
        while (!cancel.IsCancellationRequested)
        {
            try { await job.WaitForChangeAsync(seen, cancel); }
            catch (OperationCanceledException) { yield break; }
            seen = job.Version;
            bool ended = job.Ended;
            yield return new SseItem<object>(job.Snapshot(), "job");
            if (ended) yield break;
            // At most ten events a second however fast the progress moves.
            try { await Task.Delay(100, cancel); }
            catch (OperationCanceledException) { yield break; }
        }
    }
}

/// <summary>What POST /api/generate asks for.</summary>
/// <param name="Model">A generator checkpoint from GET /api/models.</param>
/// <param name="Count">Samples in the grid.</param>
/// <param name="Class">Class of a conditional generator, or null.</param>
/// <param name="Seed">Seeds the latents.</param>
internal sealed record GenerateJobRequest(string Model, int Count = 32, int? Class = null, int Seed = 0);

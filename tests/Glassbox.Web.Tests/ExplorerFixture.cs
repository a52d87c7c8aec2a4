using System.Net.Http.Json;
using System.Text.Json;
using Glassbox.Checkpoints;
using Glassbox.Data;
using Glassbox.Engine;
using Glassbox.IO;
using Glassbox.Models;
using Glassbox.Training;
using SkiaSharp;

namespace Glassbox.Web.Tests;

/// <summary>
/// A model root and a data root made for the tests, and a server on a free loopback port. Models: a reference CNN
/// trained for one epoch on 400 images of the shipped MNIST sample (checkpoint folder), and the small 8×8 fixture
/// model as Sequential spec, TorchScript and ONNX, and an untrained VAE (generator checkpoint). Data: the MNIST sample ("digits") and a folder of 8×8 PNGs ("tiny").
/// </summary>
public sealed class ExplorerFixture : IAsyncLifetime
{
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "glassbox-web-tests-" + Guid.NewGuid().ToString("N")[..10]);
    public string Models => Path.Combine(Root, "models");
    public string Data => Path.Combine(Root, "data");
    public string Outside => Path.Combine(Root, "outside");
    public GlassboxServer Server { get; private set; } = null!;
    public string BaseUrl { get; private set; } = "";
    public HttpClient Http { get; private set; } = null!;

    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Glassbox.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Glassbox.slnx not found above the test binaries.");
    }

    public async Task InitializeAsync()
    {
        MakeRoots(Root);
        Server = GlassboxServer.Create(new GlassboxServerOptions(Models, Data, "http://127.0.0.1:0") { QueueCapacity = 8 });
        BaseUrl = (await Server.StartAsync()).First();
        Http = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromMinutes(2) };
    }

    /// <summary>Makes models/, data/ and outside/ (files outside both roots, for the link tests) under <paramref name="root"/>.</summary>
    public static void MakeRoots(string root)
    {
        string repo = RepoRoot(), models = Path.Combine(root, "models"), data = Path.Combine(root, "data"), outside = Path.Combine(root, "outside");
        Directory.CreateDirectory(models);
        Directory.CreateDirectory(outside);
        string digits = Path.Combine(data, "digits");
        Directory.CreateDirectory(digits);
        foreach (var f in Directory.GetFiles(Path.Combine(repo, "data", "mnist-sample"), "*.gz")) File.Copy(f, Path.Combine(digits, Path.GetFileName(f)));
        foreach (var f in Directory.GetFiles(Path.Combine(repo, "tests", "fixtures", "models"), "small_cnn.*")) File.Copy(f, Path.Combine(models, Path.GetFileName(f)));

        // Eight 8×8 grey PNGs in three class folders, from the fixture inputs.
        var inputs = NpyFile.ReadFloat32(Path.Combine(repo, "tests", "fixtures", "models", "inputs.npy"), out _);
        for (int i = 0; i < 5; i++)
        {
            string folder = Path.Combine(data, "tiny", new[] { "a", "b", "c" }[i % 3]);
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, $"img{i}.png"), Png(inputs.AsSpan(i * 64, 64).ToArray(), 8, 8));
        }

        TorchContext.Create("cpu", 0, 0);
        var train = MnistFormat.LoadFolder(digits, "train").Take(400);
        using var model = new ImageClassifier(new ModelInfo(Architecture.ReferenceCnn, 1, 28, 28, MnistFormat.DigitClassNames));
        var history = new Trainer(new TrainingOptions(Epochs: 1, BatchSize: 50)).Train(model, train, null);
        Checkpoint.Save(Path.Combine(models, "mnist-cnn"), model, history);

        using (var vae = new Glassbox.Generation.Vae(new Glassbox.Generation.VaeOptions(LatentSize: 4), seed: 0))
            Glassbox.Generation.GeneratorCheckpoint.Save(Path.Combine(models, "vae"), vae);

        File.WriteAllText(Path.Combine(outside, "secret.json"), """{"layers": [], "secret": true}""");
        File.WriteAllBytes(Path.Combine(outside, "secret.png"), Png(new float[64], 8, 8));
    }

    /// <summary>A grey PNG of <paramref name="pixels"/> (H×W in [0,1]).</summary>
    public static byte[] Png(float[] pixels, int height, int width)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                byte v = (byte)Math.Clamp(MathF.Round(pixels[y * width + x] * 255f), 0, 255);
                bitmap.SetPixel(x, y, new SKColor(v, v, v, 255));
            }
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        return data.ToArray();
    }

    /// <summary>Posts an explain job and waits (polling) until it ends; returns the job's final JSON.</summary>
    public static async Task<JsonElement> RunJob(HttpClient http, object request, TimeSpan? timeout = null)
    {
        var response = await http.PostAsJsonAsync("/api/jobs", request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, $"{(int)response.StatusCode}: {body}");
        string id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
        return await WaitForJob(http, id, timeout);
    }

    public static async Task<JsonElement> WaitForJob(HttpClient http, string id, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(90));
        while (DateTime.UtcNow < deadline)
        {
            var job = JsonDocument.Parse(await http.GetStringAsync($"/api/jobs/{id}")).RootElement;
            if (job.GetProperty("state").GetString() is "done" or "failed" or "cancelled") return job;
            await Task.Delay(100);
        }
        throw new TimeoutException($"Job {id} did not end in time.");
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await Server.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
    }
}

[CollectionDefinition(Name)]
public sealed class ExplorerCollection : ICollectionFixture<ExplorerFixture>
{
    public const string Name = "explorer";
}

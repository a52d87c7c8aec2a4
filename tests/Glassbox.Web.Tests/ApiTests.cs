using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Glassbox.App;
using Glassbox.Attribution.Catalog;
using Glassbox.IO;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Glassbox.Web.Tests;

/// <summary>The REST API against a real Kestrel server on a loopback port.</summary>
[Collection(ExplorerCollection.Name)]
public class ApiTests(ExplorerFixture f)
{
    private HttpClient Http => f.Http;

    private async Task<(HttpStatusCode Status, JsonElement Body)> Get(string path)
    {
        var r = await Http.GetAsync(path);
        var text = await r.Content.ReadAsStringAsync();
        return (r.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement);
    }

    [Fact]
    public async Task Methods_AreTheCatalogSchemaThatMethodsJsonPrints()
    {
        string expected = JsonSerializer.Serialize(MethodSchemaJson.Of(MethodCatalog.Default.Entries), MethodSchemaJson.Options);
        string served = await Http.GetStringAsync("/api/methods");
        Assert.Equal(expected, served);
        var methods = JsonDocument.Parse(served).RootElement.GetProperty("methods");
        Assert.Equal(MethodCatalog.Default.Entries.Count, methods.GetArrayLength());
        var ig = methods.EnumerateArray().Single(m => m.GetProperty("name").GetString() == "integrated-gradients");
        Assert.Contains(ig.GetProperty("options").EnumerateArray(), o => o.GetProperty("flag").GetString() == "n-steps" && o.GetProperty("default").GetString() == "50");
    }

    [Fact]
    public async Task Models_ListsCheckpointSpecTorchScriptAndOnnx()
    {
        var (status, body) = await Get("/api/models");
        Assert.Equal(HttpStatusCode.OK, status);
        var kinds = body.EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!, m => m.GetProperty("kind").GetString());
        Assert.Equal("checkpoint", kinds["mnist-cnn"]);
        Assert.Equal("spec", kinds["small_cnn.json"]);
        Assert.Equal("torchscript", kinds["small_cnn.pt"]);
        Assert.Equal("onnx", kinds["small_cnn.onnx"]);
        Assert.Equal("generator", kinds["vae"]);
        var (_, info) = await Get("/api/models/info?name=small_cnn.onnx");
        Assert.Equal(8, info.GetProperty("info").GetProperty("height").GetInt32());
        Assert.Equal(new[] { "a", "b", "c" }, info.GetProperty("classNames").EnumerateArray().Select(c => c.GetString()!).ToArray());
    }

    [Fact]
    public async Task Datasets_ListsMnistAndImageFolders_AndServesImages()
    {
        var (_, body) = await Get("/api/datasets");
        var sets = body.EnumerateArray().ToDictionary(d => d.GetProperty("name").GetString()!, d => (d.GetProperty("kind").GetString(), d.GetProperty("count").GetInt32()));
        Assert.Equal(("mnist", 2000), sets["digits"]);
        Assert.Equal(("images", 5), sets["tiny"]);
        var png = await Http.GetAsync("/api/datasets/image?name=digits&index=7");
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        var (status, error) = await Get("/api/datasets/image?name=digits&index=2000");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("0..1999", error.GetProperty("error").GetString());
    }

    [Fact]
    public async Task DeepShapJob_IsAdditive_AndItsFilesAreTheExplanation()
    {
        var job = await ExplorerFixture.RunJob(Http, new { model = "mnist-cnn", method = "deep-shap", dataset = "digits", index = 3, classes = "predicted" });
        Assert.Equal("done", job.GetProperty("state").GetString());
        var r = job.GetProperty("result");
        var check = r.GetProperty("check");
        Assert.True(check.GetProperty("guaranteed").GetBoolean());
        Assert.True(check.GetProperty("holds").GetBoolean());
        Assert.Equal(r.GetProperty("prediction").GetInt32(), r.GetProperty("targets")[0].GetInt32());
        Assert.Equal(4, r.GetProperty("metrics").GetArrayLength());

        string id = job.GetProperty("id").GetString()!;
        var bytes = await Http.GetByteArrayAsync($"/api/jobs/{id}/files/attributions.npy");
        string path = Path.Combine(f.Root, $"{id}.npy");
        await File.WriteAllBytesAsync(path, bytes);
        var values = NpyFile.ReadFloat32(path, out var shape);
        Assert.Equal([1, 1, 1, 28, 28], shape);
        double sum = values.Sum(v => (double)v);
        double expected = r.GetProperty("outputs")[0].GetDouble() - r.GetProperty("baseValues")[0].GetDouble();
        Assert.Equal(expected, sum, 3);
        var plot = await Http.GetAsync($"/api/jobs/{id}/files/image_plot.png");
        Assert.Equal("image/png", plot.Content.Headers.ContentType?.MediaType);
        var force = await Http.GetAsync($"/api/jobs/{id}/files/force_plot.html");
        Assert.Equal(HttpStatusCode.OK, force.StatusCode);
        var summary = JsonDocument.Parse(await Http.GetStringAsync($"/api/jobs/{id}/files/explanation.json")).RootElement;
        Assert.Equal("deep-shap", summary.GetProperty("method").GetString());
    }

    [Fact]
    public async Task MethodOptions_AreBoundByTheCatalog_AndBadOnesAreOneClearError()
    {
        var job = await ExplorerFixture.RunJob(Http, new
        {
            model = "small_cnn.json", method = "integrated-gradients", options = new Dictionary<string, string> { ["n-steps"] = "7" },
            dataset = "tiny", index = 1, metrics = new[] { "sparseness" },
        });
        Assert.Equal("done", job.GetProperty("state").GetString());
        Assert.Equal("7", job.GetProperty("result").GetProperty("settings").GetProperty("n-steps").GetString());

        var bad = await Http.PostAsJsonAsync("/api/jobs", new { model = "small_cnn.json", method = "integrated-gradients", options = new Dictionary<string, string> { ["n-stepz"] = "7" }, dataset = "tiny", index = 1 });
        var failed = await ExplorerFixture.WaitForJob(Http, JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!);
        Assert.Equal("failed", failed.GetProperty("state").GetString());
        Assert.Contains("--n-stepz does not apply to integrated-gradients", failed.GetProperty("error").GetString());

        var file = await Http.PostAsJsonAsync("/api/jobs", new { model = "small_cnn.json", method = "integrated-gradients", options = new Dictionary<string, string> { ["baselines"] = "/etc/x.npy" }, dataset = "tiny", index = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, file.StatusCode);
        Assert.Contains("cannot name a file", await file.Content.ReadAsStringAsync());

        var unknown = await Http.PostAsJsonAsync("/api/jobs", new { model = "small_cnn.json", method = "no-such-method", dataset = "tiny", index = 1 });
        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("no-such-method", await unknown.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TorchScriptModel_RunsAPerturbationMethodWithItsWindowOption()
    {
        var job = await ExplorerFixture.RunJob(Http, new { model = "small_cnn.pt", method = "occlusion", options = new Dictionary<string, string> { ["sliding-window"] = "1,2,2" }, dataset = "tiny", index = 0, metrics = new[] { "sparseness", "deletion" } });
        Assert.True(job.GetProperty("state").GetString() == "done", job.ToString());
        Assert.Equal(8, job.GetProperty("result").GetProperty("shape")[3].GetInt32());
    }

    [Theory]
    [InlineData("/api/models/info?name=../outside/secret.json")]
    [InlineData("/api/models/info?name=%2Fetc%2Fpasswd")]
    [InlineData("/api/models/info?name=linked.json")]
    [InlineData("/api/models/info?name=linked-folder%2Fsecret.json")]
    [InlineData("/api/models/info?name=..%2F..%2F..%2Fetc")]
    [InlineData("/api/datasets/image?name=..&index=0")]
    [InlineData("/api/datasets/image?name=%2Ftmp&index=0")]
    [InlineData("/api/datasets/image?name=linked-data&index=0")]
    [InlineData("/api/uploads/..%2F..%2Fsecret")]
    public async Task NoPathLeavesTheRoots(string path)
    {
        MakeLinks();
        var (status, body) = await Get(path);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("error").GetString()));
        var models = await Http.GetStringAsync("/api/models");
        Assert.DoesNotContain("secret", models);
        Assert.DoesNotContain("linked", models);
        Assert.DoesNotContain("linked", await Http.GetStringAsync("/api/datasets"));
    }

    [Fact]
    public async Task JobNamingAPathOutsideTheRoots_IsRefusedBeforeItIsQueued()
    {
        MakeLinks();
        foreach (var model in new[] { "../outside/secret.json", Path.Combine(f.Outside, "secret.json"), "linked.json" })
        {
            var r = await Http.PostAsJsonAsync("/api/jobs", new { model, method = "saliency", dataset = "digits", index = 0 });
            Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        }
        var d = await Http.PostAsJsonAsync("/api/jobs", new { model = "mnist-cnn", method = "saliency", dataset = "../outside/imgs", index = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, d.StatusCode);
    }

    private void MakeLinks()
    {
        void Link(string at, string to, bool folder)
        {
            if (Path.Exists(at)) return;
            if (folder) Directory.CreateSymbolicLink(at, to); else File.CreateSymbolicLink(at, to);
        }
        Link(Path.Combine(f.Models, "linked.json"), Path.Combine(f.Outside, "secret.json"), false);
        Link(Path.Combine(f.Models, "linked-folder"), f.Outside, true);
        Directory.CreateDirectory(Path.Combine(f.Outside, "imgs", "x"));
        File.Copy(Path.Combine(f.Outside, "secret.png"), Path.Combine(f.Outside, "imgs", "x", "s.png"), overwrite: true);
        Link(Path.Combine(f.Data, "linked-data"), Path.Combine(f.Outside, "imgs"), true);
    }

    [Fact]
    public async Task Upload_IsCheckedForSizeTypeAndDimensions_AndExplained()
    {
        async Task<HttpResponseMessage> Upload(byte[] bytes, string name = "x.png")
        {
            using var form = new MultipartFormDataContent();
            form.Add(new ByteArrayContent(bytes), "file", name);
            // Expect: 100-continue lets the server refuse an oversized body before the client sends it.
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/uploads") { Content = form };
            request.Headers.ExpectContinue = true;
            return await Http.SendAsync(request);
        }
        var notImage = await Upload("hello, not a png"u8.ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, notImage.StatusCode);
        Assert.Contains("not a PNG or JPEG", await notImage.Content.ReadAsStringAsync());

        var tooWide = await Upload(ExplorerFixture.Png(new float[3000], 1, 3000));
        Assert.Equal(HttpStatusCode.BadRequest, tooWide.StatusCode);
        Assert.Contains("at most 2048×2048", await tooWide.Content.ReadAsStringAsync());

        var tooBig = await Upload(new byte[9 << 20]);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooBig.StatusCode);

        var ok = await Upload(ExplorerFixture.Png(Enumerable.Range(0, 64).Select(i => i / 64f).ToArray(), 8, 8));
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        string id = JsonDocument.Parse(await ok.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var job = await ExplorerFixture.RunJob(Http, new { model = "small_cnn.onnx", method = "saliency", upload = id, metrics = Array.Empty<string>() });
        Assert.Equal("done", job.GetProperty("state").GetString());
    }

    [Fact]
    public async Task GeneratorCheckpoint_DrawsASampleGrid_AndIsNotExplained()
    {
        var r = await Http.PostAsJsonAsync("/api/generate", new { model = "vae", count = 8, seed = 1 });
        Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
        string id = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        var job = await ExplorerFixture.WaitForJob(Http, id);
        Assert.True(job.GetProperty("state").GetString() == "done", job.ToString());
        Assert.Equal(8, job.GetProperty("result").GetProperty("count").GetInt32());
        var png = await Http.GetAsync($"/api/jobs/{id}/files/samples.png");
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);

        var explain = await Http.PostAsJsonAsync("/api/jobs", new { model = "vae", method = "saliency", dataset = "digits", index = 0 });
        Assert.Equal(HttpStatusCode.BadRequest, explain.StatusCode);
        Assert.Contains("generator", await explain.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task OpenApiDocument_DescribesTheApi()
    {
        var doc = JsonDocument.Parse(await Http.GetStringAsync(GlassboxServer.OpenApiPath)).RootElement;
        var paths = doc.GetProperty("paths");
        foreach (var p in new[] { "/api/methods", "/api/models", "/api/datasets", "/api/uploads", "/api/jobs", "/api/jobs/{id}", "/api/jobs/{id}/events", "/api/jobs/{id}/files/{file}" })
            Assert.True(paths.TryGetProperty(p, out _), $"{p} is not in the OpenAPI document");
    }

    [Fact]
    public async Task Events_StreamProgressUntilTheJobEnds()
    {
        var r = await Http.PostAsJsonAsync("/api/jobs", new { model = "mnist-cnn", method = "integrated-gradients", dataset = "digits", index = 1 });
        string id = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString()!;
        using var stream = await Http.GetStreamAsync($"/api/jobs/{id}/events");
        using var reader = new StreamReader(stream);
        var states = new List<string>();
        string? line;
        while ((line = await reader.ReadLineAsync()) is not null)
            if (line.StartsWith("data: ", StringComparison.Ordinal))
                states.Add(JsonDocument.Parse(line[6..]).RootElement.GetProperty("state").GetString()!);
        Assert.Equal("done", states[^1]);
        Assert.True(states.Count >= 2, string.Join(",", states));
    }
}

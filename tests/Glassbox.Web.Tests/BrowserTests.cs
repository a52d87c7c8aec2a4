using System.Text.Json;
using Glassbox.IO;
using Microsoft.Playwright;

namespace Glassbox.Web.Tests;

/// <summary>
/// The explorer in a real browser: Playwright for .NET driving Debian's chromium (Playwright's own browser download is
/// not used). The tests fail, not skip, when chromium is missing. Screenshots go to screenshots/ in the test output.
/// </summary>
[Collection(ExplorerCollection.Name)]
public class BrowserTests(ExplorerFixture f) : IAsyncLifetime
{
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "screenshots");

    /// <summary>Chromium's path: $GLASSBOX_CHROMIUM, else Debian's /usr/bin/chromium.</summary>
    public static string Chromium()
    {
        string path = Environment.GetEnvironmentVariable("GLASSBOX_CHROMIUM") is { Length: > 0 } p ? p : "/usr/bin/chromium";
        Assert.True(File.Exists(path), $"The browser tests need chromium at {path}: install it with `apt-get install chromium` (or set GLASSBOX_CHROMIUM to a Chromium binary).");
        return path;
    }

    public async Task InitializeAsync()
    {
        string chromium = Chromium();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        });
        Directory.CreateDirectory(Screenshots);
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
    }

    private async Task<IPage> Open()
    {
        var page = await _browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(f.BaseUrl);
        await page.WaitForSelectorAsync("body[data-ready=true]", new PageWaitForSelectorOptions { Timeout = 30_000 });
        Assert.Empty(errors);
        return page;
    }

    private static async Task Configure(IPage page, string pane, string model, string method)
    {
        var config = page.Locator($".config[data-pane={pane}]");
        await config.Locator("select.model").SelectOptionAsync(model);
        // Changing the model reloads its usable methods; wait until the wanted one is offered.
        await page.WaitForFunctionAsync("([p, m]) => [...document.querySelectorAll(`.config[data-pane=${p}] select.method option`)].some(o => o.value === m)", new[] { pane, method });
        await config.Locator("select.method").SelectOptionAsync(method);
    }

    private async Task<string> WaitDone(IPage page, string pane)
    {
        var locator = page.Locator($"#pane-{pane}");
        await page.WaitForSelectorAsync($"#pane-{pane}[data-state]", new PageWaitForSelectorOptions { Timeout = 90_000 });
        Assert.True(await locator.GetAttributeAsync("data-state") == "done", await locator.InnerTextAsync());
        return (await locator.GetAttributeAsync("data-job"))!;
    }

    /// <summary>The canvas's RGBA bytes, read back in the page.</summary>
    private static async Task<int[]> CanvasPixels(IPage page, string pane)
        => await page.EvalOnSelectorAsync<int[]>($"#pane-{pane} canvas.map", "c => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data)");

    /// <summary>The colours the map must have, computed here from the API's attributions.npy (SHAP's red/white/blue, symmetric scale).</summary>
    private async Task<(int[] Rgba, int Height, int Width)> ExpectedPixels(string job)
    {
        var bytes = await f.Http.GetByteArrayAsync($"/api/jobs/{job}/files/attributions.npy");
        string path = Path.Combine(f.Root, $"browser-{job}.npy");
        await File.WriteAllBytesAsync(path, bytes);
        var v = NpyFile.ReadFloat32(path, out var shape);
        int c = shape[2], h = shape[3], w = shape[4];
        var map = new double[h * w];
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < h * w; i++) map[i] += v[ch * h * w + i];
        double max = map.Max(Math.Abs);
        var rgba = new int[h * w * 4];
        for (int i = 0; i < h * w; i++)
        {
            double t = max > 0 ? Math.Min(1, Math.Abs(map[i]) / max) : 0;
            int fade = (int)Math.Round(255 * (1 - t), MidpointRounding.AwayFromZero);
            (rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2], rgba[4 * i + 3]) = map[i] >= 0 ? (255, fade, fade, 255) : (fade, fade, 255, 255);
        }
        return (rgba, h, w);
    }

    [Fact]
    public async Task PickModelImageMethod_ShowsTheMap_ThatTheApiNpyHolds()
    {
        var page = await Open();
        await Configure(page, "a", "mnist-cnn", "integrated-gradients");
        await page.Locator(".config[data-pane=a] input[data-flag=n-steps]").FillAsync("16");
        await page.Locator("#dataset").SelectOptionAsync("digits");
        await page.Locator("#index").FillAsync("5");
        await page.Locator("#index").DispatchEventAsync("change");
        await page.Locator("#explain").ClickAsync();
        string job = await WaitDone(page, "a");
        await page.WaitForSelectorAsync("#pane-a img.plot");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "explain.png"), FullPage = true });

        var summary = JsonDocument.Parse(await f.Http.GetStringAsync($"/api/jobs/{job}")).RootElement.GetProperty("result");
        Assert.Equal("digits#5", summary.GetProperty("input").GetProperty("name").GetString());
        Assert.Equal("16", summary.GetProperty("settings").GetProperty("n-steps").GetString());

        var (expected, h, w) = await ExpectedPixels(job);
        Assert.Equal((28, 28), (await page.EvalOnSelectorAsync<int>("#pane-a canvas.map", "c => c.height"), await page.EvalOnSelectorAsync<int>("#pane-a canvas.map", "c => c.width")));
        var shown = await CanvasPixels(page, "a");
        Assert.Equal(h * w * 4, shown.Length);
        int worst = expected.Zip(shown, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 1, $"the drawn map differs from attributions.npy by up to {worst} colour levels");
        Assert.Contains(shown.Where((_, i) => i % 4 == 1), g => g < 200); // not a blank map
        var text = await page.Locator("#pane-a").InnerTextAsync();
        Assert.Contains("deletion vs random order", text);
        Assert.Contains("sparseness", text);
        Assert.Contains("attributions.npy", text);
    }

    [Fact]
    public async Task CompareTwoMethods_SideBySide_EachWithItsCheck()
    {
        var page = await Open();
        await page.Locator("#compare").CheckAsync();
        await Configure(page, "a", "mnist-cnn", "saliency");
        await Configure(page, "b", "mnist-cnn", "deep-shap");
        await page.Locator("#dataset").SelectOptionAsync("digits");
        await page.Locator("#explain").ClickAsync();
        string a = await WaitDone(page, "a"), b = await WaitDone(page, "b");
        Assert.NotEqual(a, b);
        await page.WaitForSelectorAsync("#pane-b img.force");
        await page.WaitForFunctionAsync("() => [...document.querySelectorAll('img')].every(i => i.complete)");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, "compare.png"), FullPage = true });
        Assert.Contains("no additivity", await page.Locator("#pane-a").InnerTextAsync());
        Assert.Contains("✓ holds", await page.Locator("#pane-b").InnerTextAsync());
        var (expected, _, _) = await ExpectedPixels(b);
        Assert.True(expected.Zip(await CanvasPixels(page, "b"), (x, y) => Math.Abs(x - y)).Max() <= 1);
        if (Environment.GetEnvironmentVariable("GLASSBOX_WEB_SCREENSHOT") is { Length: > 0 } docs)
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = docs, FullPage = true });
    }

    [Fact]
    public async Task OptionsForm_IsRenderedFromTheCatalogSchema()
    {
        var page = await Open();
        await Configure(page, "a", "mnist-cnn", "occlusion");
        var flags = await page.EvalOnSelectorAllAsync<string[]>(".config[data-pane=a] .options [data-flag]", "els => els.map(e => e.dataset.flag)");
        var schema = JsonDocument.Parse(await f.Http.GetStringAsync("/api/methods")).RootElement;
        var occlusion = schema.GetProperty("methods").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "occlusion");
        foreach (var o in occlusion.GetProperty("options").EnumerateArray())
            Assert.Contains(o.GetProperty("flag").GetString(), flags);
        Assert.Contains("nt-type", flags);
    }

    [Fact]
    public async Task BadOption_ShowsTheServersMessage()
    {
        var page = await Open();
        await Configure(page, "a", "small_cnn.json", "integrated-gradients");
        await page.Locator("#dataset").SelectOptionAsync("tiny");
        await page.Locator(".config[data-pane=a] input[data-flag=baselines]").FillAsync("/etc/passwd.npy");
        await page.Locator("#explain").ClickAsync();
        await page.WaitForSelectorAsync("#pane-a .error");
        Assert.Contains("cannot name a file", await page.Locator("#pane-a .error").InnerTextAsync());
    }
}

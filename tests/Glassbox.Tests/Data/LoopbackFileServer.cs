using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Glassbox.Tests.Data;

/// <summary>A small HTTP server on 127.0.0.1 that serves fixed byte arrays by file name and counts requests.</summary>
public sealed class LoopbackFileServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly ConcurrentDictionary<string, byte[]> _files = new();
    private readonly ConcurrentDictionary<string, int> _requests = new();
    private readonly Task _loop;

    public LoopbackFileServer()
    {
        // A free port is probed, then bound; another test can take it in between, so a few fresh ports are tried.
        for (int attempt = 1; ; attempt++)
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            var listener = new HttpListener();
            var uri = new Uri($"http://127.0.0.1:{port}/files/");
            listener.Prefixes.Add(uri.AbsoluteUri);
            try
            {
                listener.Start();
                (_listener, BaseUri) = (listener, uri);
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
                listener.Close();
            }
        }
        _loop = Task.Run(ServeAsync);
    }

    public Uri BaseUri { get; }

    public void Serve(string name, byte[] content) => _files[name] = content;

    public int RequestsFor(string name) => _requests.GetValueOrDefault(name);

    public int TotalRequests => _requests.Values.Sum();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            string name = Uri.UnescapeDataString(context.Request.Url!.AbsolutePath.Split('/')[^1]);
            _requests.AddOrUpdate(name, 1, (_, n) => n + 1);
            using HttpListenerResponse response = context.Response;
            if (_files.TryGetValue(name, out byte[]? content))
            {
                response.StatusCode = 200;
                response.ContentLength64 = content.Length;
                await response.OutputStream.WriteAsync(content);
            }
            else
            {
                response.StatusCode = 404;
            }
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}

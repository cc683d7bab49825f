using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CrdbVault.Tests.Infrastructure;

/// <summary>
/// A loopback TCP proxy in front of a server (plain HTTP/1.1). It forwards every byte both ways,
/// except once armed with <see cref="DropResponseTo"/>: the next request whose request line names
/// that path is forwarded, the server handles it, and when the server's answer arrives the proxy
/// closes the client's connection instead of passing it on — the client never learns the outcome.
/// Requests that arrive later on new connections pass through again, so a client that resends is
/// caught doing it.
/// </summary>
public sealed class DroppingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly IPEndPoint _upstream;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;
    private string? _dropPath;
    private int _connections;
    private int _dropped;

    public DroppingProxy(Uri upstream)
    {
        _upstream = new IPEndPoint(IPAddress.Parse(upstream.Host), upstream.Port);
        _listener.Start();
        _accept = AcceptAsync();
    }

    public string Address => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}";

    /// <summary>Client connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Answers swallowed so far.</summary>
    public int Dropped => Volatile.Read(ref _dropped);

    /// <summary>Swallows the answer to the next request for <paramref name="path"/> (e.g. "/v1/database/creds/app").</summary>
    public void DropResponseTo(string path) => Volatile.Write(ref _dropPath, path);

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception) when (_stop.IsCancellationRequested) { return; }
            catch (ObjectDisposedException) { return; }
            Interlocked.Increment(ref _connections);
            _ = Task.Run(() => RelayAsync(client));
        }
    }

    private async Task RelayAsync(TcpClient client)
    {
        using (client)
        using (var server = new TcpClient())
        {
            try
            {
                await server.ConnectAsync(_upstream, _stop.Token);
                NetworkStream fromClient = client.GetStream(), toServer = server.GetStream();
                var pending = new PendingDrop();
                Task up = PumpRequestsAsync(fromClient, toServer, pending);
                Task down = PumpAnswersAsync(toServer, fromClient, client, pending);
                await Task.WhenAny(up, down);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException) { }
        }
    }

    /// <summary>Client to server; marks the connection when the armed request passes.</summary>
    private async Task PumpRequestsAsync(NetworkStream from, NetworkStream to, PendingDrop pending)
    {
        var buffer = new byte[16 * 1024];
        var seen = new StringBuilder();
        while (true)
        {
            int n = await from.ReadAsync(buffer, _stop.Token);
            if (n == 0) return;
            seen.Append(Encoding.ASCII.GetString(buffer, 0, n));
            string? path = Volatile.Read(ref _dropPath);
            if (path is not null && seen.ToString().Contains($" {path} HTTP/1.1", StringComparison.Ordinal)
                && Interlocked.CompareExchange(ref _dropPath, null, path) == path)
            {
                pending.Armed = true;
            }
            if (seen.Length > 64 * 1024) seen.Clear();
            await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
        }
    }

    /// <summary>Server to client; once the armed request's answer starts, closes the client instead.</summary>
    private async Task PumpAnswersAsync(NetworkStream from, NetworkStream to, TcpClient client, PendingDrop pending)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            int n = await from.ReadAsync(buffer, _stop.Token);
            if (n == 0) return;
            if (pending.Armed)
            {
                Interlocked.Increment(ref _dropped);
                client.Client.Shutdown(SocketShutdown.Both);
                client.Close();
                return;
            }
            await to.WriteAsync(buffer.AsMemory(0, n), _stop.Token);
        }
    }

    private sealed class PendingDrop
    {
        public volatile bool Armed;
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        _listener.Stop();
        try { await _accept; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}

using System.Net.Http;
using System.Net.Security;
using System.Net.Sockets;

namespace CrdbVault.Core.Vault;

/// <summary>
/// A socket handler for ONE request that may open ONE connection. SocketsHttpHandler resends a
/// request without a body when its connection ends before any answer byte arrives — on a reused
/// connection and, since .NET 6, on a fresh one too, up to three more times (dotnet/runtime issue
/// 86714; measured: a server that closes after reading a GET sees it four times). For a call that
/// creates something in Vault (<c>database/creds</c> is such a GET) every resend is another SQL
/// user. Refusing the second connect turns the resend into an error that
/// <see cref="RefusedResend"/> recognises, so the caller can report an unknown outcome instead.
/// </summary>
internal static class SingleShotHandler
{
    public static SocketsHttpHandler Create(RemoteCertificateValidationCallback? validation)
    {
        int connects = 0;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            // Never pooled: the handler lives for one request.
            PooledConnectionLifetime = TimeSpan.Zero,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            ConnectCallback = async (context, ct) =>
            {
                if (Interlocked.Increment(ref connects) > 1) throw new ResendRefusedException();
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, ct).ConfigureAwait(false);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        if (validation is not null) handler.SslOptions.RemoteCertificateValidationCallback = validation;
        return handler;
    }

    /// <summary>True when the handler tried to send the request a second time and was stopped: the first attempt reached the server.</summary>
    public static bool RefusedResend(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
            if (e is ResendRefusedException) return true;
        return false;
    }

    private sealed class ResendRefusedException() : IOException("The request was not sent again: it may already have taken effect.");
}

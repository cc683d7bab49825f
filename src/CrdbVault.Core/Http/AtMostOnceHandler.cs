using System.Net.Security;

namespace CrdbVault.Core.Http;

/// <summary>
/// The connections that carry calls which create something (<see cref="RepeatPolicy.Never"/>):
/// each such call reaches the server at most once.
/// </summary>
/// <remarks>
/// SocketsHttpHandler sends a request again, on another connection, when its connection ends before
/// any answer byte arrives: on a reused connection and since .NET 6 on a fresh one too, up to three
/// more times (dotnet/runtime issue 86714; measured: a server that closes after reading a GET sees it
/// four times). For <c>database/creds</c>, a GET, every resend is another SQL user. The handler
/// cannot be told not to, so every connection of this handler is wrapped (after TLS, where only
/// request bytes pass) in a stream that remembers which connection an attempt wrote to: a second
/// connection writing for the same attempt is refused before a byte leaves, and the caller reports
/// an unknown outcome instead. Connections stay pooled: a call pays no new TCP or TLS handshake.
/// The price is that a pooled connection the server closes at the very moment it is reused also
/// ends in "may have executed" (the two cannot be told apart from the client); the idle timeout is
/// kept well below the keep-alive timeouts of servers and load balancers to make that rare.
/// The attempt travels in an AsyncLocal: .NET writes an HTTP/1.1 request in the caller's flow. A
/// write without an attempt fails closed, so a runtime that changed that would fail loudly (the
/// at-most-once tests) rather than resend silently.
/// </remarks>
internal static class AtMostOnceHandler
{
    private static readonly AsyncLocal<Attempt?> CurrentAttempt = new();

    public static SocketsHttpHandler Create(RemoteCertificateValidationCallback? validation)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(20),
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PlaintextStreamFilter = (context, _) => ValueTask.FromResult<Stream>(new GuardedStream(context.PlaintextStream)),
        };
        if (validation is not null) handler.SslOptions.RemoteCertificateValidationCallback = validation;
        return handler;
    }

    /// <summary>Starts the one attempt of a call in the current flow; the request must be sent from this flow.</summary>
    public static void BeginAttempt() => CurrentAttempt.Value = new Attempt();

    /// <summary>True when .NET tried to send a call a second time and was stopped: the first attempt reached the server.</summary>
    public static bool RefusedResend(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
            if (e is ResendRefusedException) return true;
        return false;
    }

    private sealed class Attempt
    {
        public Stream? Connection;
    }

    private sealed class ResendRefusedException(string message) : IOException(message);

    /// <summary>A connection's plaintext stream that lets each attempt write to one connection only.</summary>
    private sealed class GuardedStream(Stream inner) : Stream
    {
        private void Admit()
        {
            Attempt attempt = CurrentAttempt.Value
                ?? throw new ResendRefusedException("A request reached an at-most-once connection outside its attempt; it was not sent.");
            lock (attempt)
            {
                attempt.Connection ??= this;
                if (!ReferenceEquals(attempt.Connection, this))
                    throw new ResendRefusedException("The request was not sent again: it may already have taken effect.");
            }
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            Admit();
            inner.Write(buffer, offset, count);
        }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Admit();
            inner.Write(buffer);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Admit();
            return inner.WriteAsync(buffer, offset, count, cancellationToken);
        }

        public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Admit();
            return inner.WriteAsync(buffer, cancellationToken);
        }

        public override void WriteByte(byte value)
        {
            Admit();
            inner.WriteByte(value);
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            inner.ReadAsync(buffer, cancellationToken);

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override bool CanRead => inner.CanRead;
        public override bool CanWrite => inner.CanWrite;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }

        public override ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}

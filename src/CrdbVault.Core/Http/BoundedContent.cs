using System.Buffers;

namespace CrdbVault.Core.Http;

/// <summary>An answer body larger than the budget (<see cref="Validation.InputBudgets.AnswerBytes"/>).</summary>
internal sealed class AnswerTooLargeException(long? announced, long limit)
    : IOException(announced is long a
        ? $"the answer announces {a / (1024 * 1024)} MiB, more than the {Validation.InputBudgets.Describe(limit)} this module reads"
        : $"the answer is larger than the {Validation.InputBudgets.Describe(limit)} this module reads");

/// <summary>
/// Reads an HTTP answer's body with a size cap, instead of HttpClient's default of buffering up to
/// 2 GiB: a server (or anything in between) that sends an endless body costs at most the cap.
/// </summary>
internal static class BoundedContent
{
    private const int Chunk = 16 * 1024;

    /// <summary>
    /// The body, at most <paramref name="maxBytes"/>; throws <see cref="AnswerTooLargeException"/>
    /// beyond it (a Content-Length over the cap is refused before anything is read).
    /// </summary>
    public static async Task<byte[]> ReadAsync(HttpContent content, long maxBytes, CancellationToken ct)
    {
        long? announced = content.Headers.ContentLength;
        if (announced > maxBytes) throw new AnswerTooLargeException(announced, maxBytes);
        await using Stream body = await content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        if (announced is long exact)
        {
            // HttpClient holds the server to its Content-Length, so the body is exactly this long.
            byte[] whole = new byte[exact];
            await body.ReadExactlyAsync(whole, ct).ConfigureAwait(false);
            return whole;
        }
        using var buffer = new MemoryStream();
        byte[] chunk = ArrayPool<byte>.Shared.Rent(Chunk);
        try
        {
            int n;
            while ((n = await body.ReadAsync(chunk.AsMemory(0, Chunk), ct).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + n > maxBytes) throw new AnswerTooLargeException(null, maxBytes);
                buffer.Write(chunk, 0, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }
        return buffer.ToArray();
    }
}

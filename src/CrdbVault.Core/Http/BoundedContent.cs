using System.Net.Http.Headers;

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
    /// <summary>
    /// Replaces <paramref name="response"/>'s content by an in-memory copy of at most
    /// <paramref name="maxBytes"/>; throws <see cref="AnswerTooLargeException"/> beyond it (a
    /// Content-Length over the cap is refused before reading anything).
    /// </summary>
    public static async Task BufferAsync(HttpResponseMessage response, long maxBytes, CancellationToken ct)
    {
        HttpContent original = response.Content;
        if (original.Headers.ContentLength is long announced && announced > maxBytes)
            throw new AnswerTooLargeException(announced, maxBytes);
        var buffer = new MemoryStream();
        await using (Stream body = await original.ReadAsStreamAsync(ct).ConfigureAwait(false))
        {
            byte[] chunk = new byte[81920];
            int n;
            while ((n = await body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
            {
                if (buffer.Length + n > maxBytes) throw new AnswerTooLargeException(null, maxBytes);
                buffer.Write(chunk, 0, n);
            }
        }
        var copy = new ByteArrayContent(buffer.GetBuffer(), 0, (int)buffer.Length);
        foreach (KeyValuePair<string, IEnumerable<string>> header in original.Headers)
            copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
        response.Content = copy;
        original.Dispose();
    }
}

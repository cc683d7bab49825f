using System.Net.Http.Headers;

namespace CrdbVault.Core.Http;

/// <summary>The wait a server asks for with Retry-After (seconds or an HTTP date), shared by the Vault and Cloud clients.</summary>
internal static class RetryAfter
{
    /// <summary>The requested wait, capped; null when the answer asks for none (then the backoff decides).</summary>
    internal static TimeSpan? From(HttpResponseMessage? response, TimeSpan cap)
    {
        if (response?.Headers.RetryAfter is not RetryConditionHeaderValue ra) return null;
        TimeSpan? wait = ra.Delta ?? (ra.Date is DateTimeOffset d ? d - DateTimeOffset.UtcNow : null);
        if (wait is not TimeSpan w || w <= TimeSpan.Zero) return null;
        return w < cap ? w : cap;
    }
}

using System.Net;
using System.Text;

namespace CrdbVault.Tests.Units;

/// <summary>An HttpMessageHandler answering from a script of responses, recording every request.</summary>
internal sealed class StubHandler : HttpMessageHandler
{
    private readonly Queue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> _answers = new();
    public List<(HttpMethod Method, Uri Uri, Dictionary<string, string> Headers, string? Body)> Requests { get; } = [];
    public Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>? Fallback { get; set; }

    public StubHandler Answer(HttpStatusCode status, string? json = null, Action<HttpResponseMessage>? tweak = null)
    {
        _answers.Enqueue((_, _) =>
        {
            var r = new HttpResponseMessage(status);
            if (json is not null) r.Content = new StringContent(json, Encoding.UTF8, "application/json");
            tweak?.Invoke(r);
            return Task.FromResult(r);
        });
        return this;
    }

    public StubHandler Answer(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer)
    {
        _answers.Enqueue(answer);
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var headers = request.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value));
        string? body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        lock (Requests) Requests.Add((request.Method, request.RequestUri!, headers, body));
        Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>? next;
        lock (_answers) next = _answers.Count > 0 ? _answers.Dequeue() : Fallback;
        if (next is null) throw new InvalidOperationException("No scripted answer for " + request.RequestUri);
        return await next(request, cancellationToken);
    }
}

using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Leases;
using CrdbVault.Sandbox.Vault.Policies;
using CrdbVault.Sandbox.Vault.Support;
using Microsoft.AspNetCore.Http;

namespace CrdbVault.Sandbox.Vault;

/// <summary>
/// One request through the double, in Vault's order: faults (test knob), body, token, route by
/// longest mount prefix, ACL (capability, sudo, parameters), engine, envelope.
/// </summary>
public sealed class VaultRequestHandler(VaultCore core, VaultRequestLog log)
{
    /// <summary>sys paths that need "sudo" on top of the capability (Vault's root-protected paths).</summary>
    private static readonly string[] SudoPrefixes =
    [
        "sys/leases/revoke-prefix/", "sys/leases/revoke-force/", "sys/leases/lookup/",
        "sys/revoke-prefix/", "sys/revoke-force/", "sys/raw/", "sys/audit", "sys/rotate", "sys/config/",
        "auth/token/accessors", "auth/token/revoke-orphan", "auth/token/create-orphan",
    ];

    public async Task HandleAsync(HttpContext ctx, string path)
    {
        string method = ctx.Request.Method.ToUpperInvariant();
        if (method == "GET" && IsTrue(ctx.Request.Query["list"])) method = "LIST";
        if (method == "HEAD") method = "GET";
        path = path.Trim('/');
        string? ns = ctx.Request.Headers["X-Vault-Namespace"].FirstOrDefault();
        string? tokenId = TokenOf(ctx.Request);

        Fault? fault = core.Options.Faults.Take(method, path);
        if (fault is not null && !fault.AfterExecution)
        {
            if (await ApplyFaultAsync(ctx, fault, method, path, ns, tokenId).ConfigureAwait(false)) return;
        }

        (VaultReply reply, VaultMount? mount) = await ProcessAsync(ctx, method, path, tokenId).ConfigureAwait(false);

        if (fault is not null && fault.AfterExecution)
        {
            // The work is done; the client only sees the failure (or a dead connection).
            if (await ApplyFaultAsync(ctx, fault, method, path, ns, tokenId).ConfigureAwait(false)) return;
        }

        if (reply.RawBytes is not null && reply.Status < 400)
        {
            // pki/ca/pem, pki/crl and friends answer raw bytes with their own Content-Type, not JSON.
            log.Add(new VaultRequestRecord(core.Clock.GetUtcNow(), method, path, ns, tokenId is not null, reply.Status));
            ctx.Response.StatusCode = reply.Status;
            ctx.Response.ContentType = reply.RawContentType ?? "application/octet-stream";
            await ctx.Response.Body.WriteAsync(reply.RawBytes, ctx.RequestAborted).ConfigureAwait(false);
            return;
        }
        (int status, string? body) = VaultEnvelope.Render(reply, mount);
        if (fault is { AfterExecution: true, TransformBody: { } transform } && body is not null) body = transform(body);
        log.Add(new VaultRequestRecord(core.Clock.GetUtcNow(), method, path, ns, tokenId is not null, status));
        await WriteAsync(ctx, status, body).ConfigureAwait(false);
    }

    /// <summary>Applies a fault; true when the request is finished (answered or dropped).</summary>
    private async Task<bool> ApplyFaultAsync(HttpContext ctx, Fault fault, string method, string path, string? ns, string? tokenId)
    {
        if (fault.Delay > TimeSpan.Zero)
        {
            try { await Task.Delay(fault.Delay, ctx.RequestAborted).ConfigureAwait(false); }
            catch (OperationCanceledException) { return true; }
        }
        if (fault.Drop)
        {
            log.Add(new VaultRequestRecord(core.Clock.GetUtcNow(), method, path, ns, tokenId is not null, 0));
            ctx.Abort();
            return true;
        }
        if (fault.Redirect)
        {
            string location = fault.RedirectLocation ?? $"{ctx.Request.Scheme}://{ctx.Request.Host}{ctx.Request.PathBase}{ctx.Request.Path}{ctx.Request.QueryString}";
            ctx.Response.Headers.Location = location;
            log.Add(new VaultRequestRecord(core.Clock.GetUtcNow(), method, path, ns, tokenId is not null, 307));
            ctx.Response.StatusCode = 307;
            return true;
        }
        if (fault.Status <= 0) return false; // only a delay
        if (fault.RetryAfterSeconds is int seconds) ctx.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        log.Add(new VaultRequestRecord(core.Clock.GetUtcNow(), method, path, ns, tokenId is not null, fault.Status));
        string body = new JsonObject { ["errors"] = new JsonArray([.. fault.Errors.Select(e => (JsonNode?)e)]) }.ToJsonString(VaultEnvelope.Json);
        await WriteAsync(ctx, fault.Status, body).ConfigureAwait(false);
        return true;
    }

    private async Task<(VaultReply, VaultMount?)> ProcessAsync(HttpContext ctx, string method, string path, string? tokenId)
    {
        JsonObject body;
        try { body = await ReadBodyAsync(ctx.Request).ConfigureAwait(false); }
        catch (JsonException ex) { return (VaultReply.BadRequest("failed to parse JSON input: " + ex.Message), null); }

        var query = ctx.Request.Query.Where(q => q.Key != "list").ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal);

        VaultMount? mount = core.Mounts.Route(path, out string relative);
        if (mount is null) return (VaultReply.Error(404, VaultErrors.NoHandler(path)), null);

        bool open = mount.Engine is IUnauthenticatedPaths u && u.IsUnauthenticated(method, relative);
        VaultToken? token = core.Tokens.Lookup(tokenId);
        if (!open)
        {
            if (string.IsNullOrEmpty(tokenId)) return (VaultReply.Error(403, VaultErrors.MissingToken), null);
            if (token is null) return (VaultReply.Error(403, VaultErrors.InvalidToken), null);
            JsonObject parameters = (JsonObject)body.DeepClone();
            foreach (var (k, v) in query) parameters[k] ??= v;
            Acl acl = core.Policies.AclFor(token.Policies);
            if (!acl.Allows(path, Needed(method), NeedsSudo(method, path), parameters))
                return (VaultReply.Error(403, VaultErrors.PermissionDenied), null);
        }

        RequestContext.Token = token;
        try
        {
            var request = new VaultRequest(method, relative, body, query, token, mount, ctx.RequestAborted);
            return (await mount.Engine.HandleAsync(request).ConfigureAwait(false), mount);
        }
        catch (VaultInputException ex) { return (VaultReply.BadRequest(ex.Message), mount); }
        catch (LeaseException ex) { return (VaultReply.Error(ex.Status, ex.Message), mount); }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested) { return (VaultReply.Error(500, "context canceled"), mount); }
        catch (Exception ex) { return (VaultReply.Error(500, "1 error occurred:\n\t* " + ex.Message + "\n\n"), mount); }
        finally { RequestContext.Token = null; }
    }

    private static Capability Needed(string method) => method switch
    {
        "GET" => Capability.Read,
        "LIST" => Capability.List,
        "POST" or "PUT" => Capability.Create | Capability.Update, // no existence check: either suffices
        "DELETE" => Capability.Delete,
        "PATCH" => Capability.Patch,
        _ => Capability.None,
    };

    /// <summary>
    /// Vault protects "sys/leases/lookup/*" etc. The path arrives without its trailing slash, so the
    /// bare "sys/leases/lookup" needs sudo only when LISTed (a lookup by body does not), while a bare
    /// "sys/leases/revoke-prefix" (everything) always does.
    /// </summary>
    private static bool NeedsSudo(string method, string path)
    {
        if (path == "sys/leases/lookup") return method == "LIST";
        return SudoPrefixes.Any(p => path.StartsWith(p, StringComparison.Ordinal) || path + "/" == p);
    }

    private static string? TokenOf(HttpRequest request)
    {
        string? token = request.Headers["X-Vault-Token"].FirstOrDefault();
        if (!string.IsNullOrWhiteSpace(token)) return token.Trim();
        string? auth = request.Headers.Authorization.FirstOrDefault();
        if (auth is not null && auth.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return auth[7..].Trim();
        return null;
    }

    private static async Task<JsonObject> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        string text = await reader.ReadToEndAsync().ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(text)) return [];
        return JsonNode.Parse(text) as JsonObject ?? throw new JsonException("expected a JSON object");
    }

    private static bool IsTrue(string? value) => value is "true" or "1" or "True" or "TRUE" or "t";

    private static async Task WriteAsync(HttpContext ctx, int status, string? body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.Headers.CacheControl = "no-store";
        if (body is null) return;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body, ctx.RequestAborted).ConfigureAwait(false);
    }
}

using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Support;

namespace CrdbVault.Sandbox.Vault.Sys;

/// <summary>sys/mounts and sys/auth: list, enable, read, disable, tune.</summary>
public sealed partial class SysEngine
{
    private async Task<VaultReply> Mounts(VaultRequest request, string rest)
    {
        if (rest.Length == 0)
        {
            if (!request.IsRead) return VaultReply.UnsupportedOperation();
            var all = new JsonObject();
            foreach (VaultMount m in core.Mounts.All.Where(m => !m.IsAuth)) all[m.Path + "/"] = MountEntry(m);
            return new VaultReply { Data = all, DataAlsoTopLevel = true };
        }

        // sys/mounts/<mount>/tune, where <mount> may be nested or an auth mount ("auth/approle").
        if (rest.EndsWith("/tune", StringComparison.Ordinal) && core.Mounts.Get(rest[..^5]) is VaultMount tuned)
            return Tune(request, tuned);

        string path = rest.Trim('/');
        if (request.IsRead)
        {
            if (core.Mounts.Get(path) is not VaultMount m || m.IsAuth) return VaultReply.BadRequest($"No secret engine mount at {path}/");
            return new VaultReply { Data = MountEntry(m), DataAlsoTopLevel = true };
        }
        if (request.IsWrite)
        {
            string type = BodyReader.String(request.Body, "type") ?? "";
            if (type.Length == 0) return VaultReply.BadRequest("backend type must be specified as a string");
            JsonObject config = request.Body["config"] as JsonObject ?? [];
            TimeSpan ttl = BodyReader.Duration(config, "default_lease_ttl", TimeSpan.Zero);
            TimeSpan max = BodyReader.Duration(config, "max_lease_ttl", TimeSpan.Zero);
            if (max > TimeSpan.Zero && ttl > max) return VaultReply.BadRequest("given default lease TTL greater than given max lease TTL");
            core.EnableSecretsEngine(path, type, BodyReader.String(request.Body, "description") ?? "", ttl, max);
            return VaultReply.NoContent();
        }
        if (request.IsDelete)
        {
            await core.DisableAsync(path).ConfigureAwait(false);
            return VaultReply.NoContent();
        }
        return VaultReply.UnsupportedOperation();
    }

    private async Task<VaultReply> Auth(VaultRequest request, string rest)
    {
        if (rest.Length == 0)
        {
            if (!request.IsRead) return VaultReply.UnsupportedOperation();
            var all = new JsonObject();
            foreach (VaultMount m in core.Mounts.All.Where(m => m.IsAuth)) all[m.Path["auth/".Length..] + "/"] = MountEntry(m);
            return new VaultReply { Data = all, DataAlsoTopLevel = true };
        }
        if (rest.EndsWith("/tune", StringComparison.Ordinal) && core.Mounts.Get("auth/" + rest[..^5]) is VaultMount tuned)
            return Tune(request, tuned);

        string path = rest.Trim('/');
        if (request.IsRead)
        {
            if (core.Mounts.Get("auth/" + path) is not VaultMount m) return VaultReply.BadRequest($"No auth engine at {path}/");
            return new VaultReply { Data = MountEntry(m), DataAlsoTopLevel = true };
        }
        if (request.IsWrite)
        {
            string type = BodyReader.String(request.Body, "type") ?? "";
            if (type.Length == 0) return VaultReply.BadRequest("backend type must be specified as a string");
            core.EnableAuthMethod(path, type, BodyReader.String(request.Body, "description") ?? "");
            return VaultReply.NoContent();
        }
        if (request.IsDelete)
        {
            await core.DisableAsync("auth/" + path).ConfigureAwait(false);
            return VaultReply.NoContent();
        }
        return VaultReply.UnsupportedOperation();
    }

    private static VaultReply Tune(VaultRequest request, VaultMount mount)
    {
        if (request.IsRead) return VaultReply.Raw(TuneBody(mount));
        if (!request.IsWrite) return VaultReply.UnsupportedOperation();
        TimeSpan ttl = BodyReader.Duration(request.Body, "default_lease_ttl", mount.DefaultLeaseTtl);
        TimeSpan max = BodyReader.Duration(request.Body, "max_lease_ttl", mount.MaxLeaseTtl);
        TimeSpan effectiveMax = max > TimeSpan.Zero ? max : VaultMount.SystemDefaultTtl;
        if (ttl > effectiveMax) return VaultReply.BadRequest("backend max lease TTL cannot be less than backend default lease TTL");
        mount.DefaultLeaseTtl = ttl;
        mount.MaxLeaseTtl = max;
        if (BodyReader.String(request.Body, "description") is string d) mount.Description = d;
        return VaultReply.NoContent();
    }

    private static JsonObject TuneBody(VaultMount m) => new()
    {
        ["default_lease_ttl"] = VaultDurations.Seconds(m.EffectiveDefaultTtl),
        ["max_lease_ttl"] = VaultDurations.Seconds(m.EffectiveMaxTtl),
        ["force_no_cache"] = false,
        ["description"] = m.Description,
        ["options"] = null,
    };

    private static JsonObject MountEntry(VaultMount m) => new()
    {
        ["accessor"] = m.Accessor,
        ["config"] = new JsonObject
        {
            ["default_lease_ttl"] = VaultDurations.Seconds(m.DefaultLeaseTtl),
            ["max_lease_ttl"] = VaultDurations.Seconds(m.MaxLeaseTtl),
            ["force_no_cache"] = false,
        },
        ["description"] = m.Description,
        ["external_entropy_access"] = false,
        ["local"] = false,
        ["options"] = null,
        ["plugin_version"] = "",
        ["running_plugin_version"] = $"v{Version}+builtin.vault",
        ["running_sha256"] = "",
        ["seal_wrap"] = false,
        ["type"] = m.Type,
        ["uuid"] = m.Uuid,
    };
}

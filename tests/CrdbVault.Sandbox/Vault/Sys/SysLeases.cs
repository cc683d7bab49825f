using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Leases;
using CrdbVault.Sandbox.Vault.Support;

namespace CrdbVault.Sandbox.Vault.Sys;

/// <summary>
/// sys/leases: lookup, list (sudo), renew, revoke, revoke-prefix (sudo), revoke-force (sudo), tidy.
/// sync=true waits and reports failures; sync=false (the default since Vault 0.10.4) queues the
/// revocation, which still runs at once in the background.
/// </summary>
public sealed partial class SysEngine
{
    private async Task<VaultReply> Leases(VaultRequest request, string rest)
    {
        (string op, string arg) = Split(rest);
        switch (op)
        {
            case "lookup" when request.IsList:
            {
                return VaultReply.Keys(core.Leases.ListChildren(arg));
            }
            case "lookup" when request.IsWrite:
            {
                string id = BodyReader.String(request.Body, "lease_id") ?? arg;
                if (id.Length == 0) return VaultReply.BadRequest("missing lease ID");
                return VaultReply.Ok(core.Leases.LookupData(id));
            }
            case "renew" when request.IsWrite:
            {
                string id = BodyReader.String(request.Body, "lease_id") ?? arg;
                if (id.Length == 0) return VaultReply.BadRequest("lease ID must be specified");
                TimeSpan increment = BodyReader.Duration(request.Body, "increment", TimeSpan.Zero);
                var (leaseId, ttl, renewable, warnings) = await core.Leases.RenewAsync(id, increment, request.Cancellation).ConfigureAwait(false);
                return new VaultReply { LeaseId = leaseId, LeaseDuration = ttl, Renewable = renewable, Warnings = warnings };
            }
            case "revoke" when request.IsWrite:
            {
                string id = BodyReader.String(request.Body, "lease_id") ?? arg;
                if (id.Length == 0) return VaultReply.BadRequest("missing lease ID");
                if (BodyReader.Bool(request.Body, "sync", false)) await core.Leases.RevokeAsync(id).ConfigureAwait(false);
                else core.Leases.RevokeLater([id]);
                return VaultReply.NoContent();
            }
            case "revoke-prefix" when request.IsWrite:
                if (BodyReader.Bool(request.Body, "sync", false)) await core.Leases.RevokePrefixAsync(arg).ConfigureAwait(false);
                else core.Leases.RevokeLater(core.Leases.IdsUnder(arg));
                return VaultReply.NoContent();
            case "revoke-force" when request.IsWrite:
                await core.Leases.RevokePrefixAsync(arg, force: true).ConfigureAwait(false);
                return VaultReply.NoContent();
            case "tidy" when request.IsWrite:
                return VaultReply.NoContent();
            case "lookup" or "renew" or "revoke" or "revoke-prefix" or "revoke-force" or "tidy":
                return VaultReply.UnsupportedOperation();
            default:
                return VaultReply.UnsupportedPath();
        }
    }

    private static (string Op, string Arg) Split(string rest)
    {
        int slash = rest.IndexOf('/');
        return slash < 0 ? (rest, "") : (rest[..slash], rest[(slash + 1)..]);
    }
}

using System.Text.Json.Nodes;
using CrdbVault.Sandbox.Vault.Policies;
using CrdbVault.Sandbox.Vault.Support;

namespace CrdbVault.Sandbox.Vault.Sys;

/// <summary>sys/policies/acl/:name (current API) and sys/policy/:name (legacy API, "rules" field).</summary>
public sealed partial class SysEngine
{
    private VaultReply PoliciesAcl(VaultRequest request, string name)
    {
        if (name.Length == 0)
            return request.IsList ? VaultReply.Keys(core.Policies.Names()) : VaultReply.UnsupportedOperation();

        if (request.IsRead)
        {
            if (core.Policies.Get(name) is not AclPolicy p) return VaultReply.NotFound();
            return VaultReply.Ok(new JsonObject { ["name"] = p.Name, ["policy"] = p.Text });
        }
        if (request.IsWrite) return WritePolicy(name, BodyReader.String(request.Body, "policy"));
        if (request.IsDelete) return DeletePolicy(name);
        return VaultReply.UnsupportedOperation();
    }

    private VaultReply PolicyLegacy(VaultRequest request, string name)
    {
        if (name.Length == 0)
        {
            if (!request.IsRead && !request.IsList) return VaultReply.UnsupportedOperation();
            var names = new JsonArray([.. core.Policies.Names().Select(n => (JsonNode?)n)]);
            return new VaultReply { Data = new JsonObject { ["keys"] = names, ["policies"] = names.DeepClone() }, DataAlsoTopLevel = true };
        }
        if (request.IsRead)
        {
            if (core.Policies.Get(name) is not AclPolicy p) return VaultReply.NotFound();
            return new VaultReply { Data = new JsonObject { ["name"] = p.Name, ["rules"] = p.Text }, DataAlsoTopLevel = true };
        }
        if (request.IsWrite) return WritePolicy(name, BodyReader.String(request.Body, "policy") ?? BodyReader.String(request.Body, "rules"));
        if (request.IsDelete) return DeletePolicy(name);
        return VaultReply.UnsupportedOperation();
    }

    private VaultReply WritePolicy(string name, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return VaultReply.BadRequest("'policy' parameter not supplied or empty");
        try { core.Policies.Write(name, text); }
        catch (FormatException ex) { return VaultReply.BadRequest(ex.Message); }
        catch (InvalidOperationException ex) { return VaultReply.BadRequest(ex.Message); }
        return VaultReply.NoContent();
    }

    private VaultReply DeletePolicy(string name)
    {
        try { core.Policies.Delete(name); }
        catch (InvalidOperationException ex) { return VaultReply.BadRequest(ex.Message); }
        return VaultReply.NoContent();
    }
}

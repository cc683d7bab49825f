using System.Management.Automation;
using CrdbVault.Core.Database;
using CrdbVault.Core.Validation;
using CrdbVault.Core.Vault;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Sets Vault's database secrets engine up for a CockroachDB cluster.</para>
/// <para type="description">Enables the database engine at -MountPath when absent and writes
/// &lt;mount&gt;/config/&lt;Name&gt; with the postgresql plugin. -ConnectionUrl is a plain URL without
/// credentials; the cmdlet inserts Vault's {{username}}:{{password}} placeholders and sends the user and
/// password of -Credential separately. An sslmode in the URL wins; without one it uses verify-full with
/// -RootCertificate (a path on the Vault server), else require with a warning. It sets a
/// username_template that yields valid lower-case CockroachDB names, so Vault's revocation finds the
/// user again. Then it proves the privileges: it issues a probe user through Vault with the statements
/// Set-CrdbVaultRole builds and revokes it at once, so a missing privilege of -Credential's user (on
/// PostgreSQL 15 CREATEROLE alone fails with "permission denied to reassign objects") fails setup
/// with error id DatabasePrivilegeMissing, naming the privilege, instead of the first revocation
/// (-SkipPrivilegeCheck skips it). -RotateRoot then rotates the password of -Credential so only Vault
/// knows it; it is irreversible and runs last. Every step shows under -WhatIf.</para>
/// </summary>
[Cmdlet(VerbsData.Initialize, "CrdbVaultDatabase", SupportsShouldProcess = true)]
[OutputType(typeof(VaultDatabaseConnection))]
[InputErrorId("InvalidDatabaseConnectionArgument")]
public sealed class InitializeCrdbVaultDatabaseCommand : VaultCmdlet
{
    /// <summary>Name of the connection (database/config/&lt;Name&gt;); roles refer to it with -ConnectionName.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Input(InputKind.NameSegment)]
    public string Name { get; set; } = "";

    /// <summary>postgresql://host:26257/defaultdb?sslmode=verify-full — without user or password (neither user:password@ nor password= in the query).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [Input(InputKind.DatabaseUrl)]
    public string ConnectionUrl { get; set; } = "";

    /// <summary>
    /// The SQL user Vault connects as, and its password. On CockroachDB make it a member of admin: the
    /// revocation statements (REASSIGN OWNED / DROP OWNED BY the dynamic user) need to act on the users'
    /// objects (on PostgreSQL: a superuser, or a member of every dynamic role).
    /// </summary>
    [Parameter(Mandatory = true)]
    [Credential]
    [Input(InputKind.SqlCredential)]
    public PSCredential Credential { get; set; } = null!;

    /// <summary>Roles that may use this connection. Default '*' (any role on this mount).</summary>
    [Parameter]
    [Input(InputKind.NamePattern)]
    public string[] AllowedRoles { get; set; } = ["*"];

    /// <summary>Where the database engine is (or will be) mounted. Nested paths like team/database work.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(MountPathCompleter))]
    [Input(InputKind.MountPath)]
    public string MountPath { get; set; } = "database";

    /// <summary>Path ON THE VAULT SERVER of the CA certificate of the cluster (becomes sslrootcert; implies verify-full).</summary>
    [Parameter]
    [Input(InputKind.ReadPath)]
    public string? RootCertificate { get; set; }

    /// <summary>Rotate the password of -Credential right away so that only Vault knows it.</summary>
    [Parameter]
    public SwitchParameter RotateRoot { get; set; }

    /// <summary>Write the config without Vault test-connecting first (verify_connection=false).</summary>
    [Parameter]
    public SwitchParameter SkipConnectionCheck { get; set; }

    /// <summary>Do not prove the SQL user's privileges by issuing and revoking a probe user through Vault (-SkipConnectionCheck skips it too).</summary>
    [Parameter]
    public SwitchParameter SkipPrivilegeCheck { get; set; }

    // Acts once, in EndProcessing: the connection is resolved there, after the checks that need none.
    protected override void ProcessCheckedRecord()
    {
    }

    protected override void EndProcessing()
    {
        VaultConnectionUrl url = Checked(() => VaultConnectionUrl.Build(ConnectionUrl, RootCertificate), "InvalidDatabaseConnectionArgument",
            UrlRedaction.Redact(ConnectionUrl));
        if (Credential.Password.Length == 0)
            ThrowInvalidArgument("-Credential needs a user name and a password: the SQL user Vault connects as.", "InvalidDatabaseConnectionArgument", Name);
        VaultClient client = ResolveSession().Client;
        var engine = new DatabaseEngine(client, MountPath);

        if (url.ServerIdentityUnverified)
            WriteWarning(url.SslMode == "require"
                ? "Vault will connect with sslmode=require: traffic is encrypted but the server's identity is not verified. " +
                    "Pass -RootCertificate (the cluster CA's path on the Vault server) or put sslmode=verify-full&sslrootcert=... in -ConnectionUrl."
                : $"Vault will connect with sslmode={url.SslMode}: the connection may not be encrypted and the server's identity is not verified, " +
                    $"so the SQL admin password can be read on the network. Use sslmode=verify-full with -RootCertificate outside a lab.");

        bool created = false;
        if (ShouldProcess($"{MountPath}/", "Enable the database secrets engine if absent"))
            created = Run(ct => engine.EnsureMountAsync(ct), MountPath, "DatabaseMountFailed");
        if (created) WriteVerbose($"Enabled the database secrets engine at {engine.MountPath}/.");

        string target = $"{engine.MountPath}/config/{Name}";
        // Every step asks for itself (and shows under -WhatIf); none returns early.
        bool written = false;
        var request = new DatabaseConnectionRequest
        {
            MountPath = engine.MountPath,
            Name = Name,
            Url = url,
            Username = Credential.UserName,
            Password = Credential.Password,
            AllowedRoles = AllowedRoles,
            VerifyConnection = !SkipConnectionCheck,
        };
        if (ShouldProcess(target, $"Write the connection to {url.Host}:{url.Port}/{url.Database} as '{Credential.UserName}'"))
        {
            Run(ct => engine.WriteConnectionAsync(request, ct), target, "DatabaseConfigFailed");
            written = true;
        }

        if (!SkipPrivilegeCheck)
        {
            if (SkipConnectionCheck)
                WriteVerbose("The privilege check was skipped with the connection check (-SkipConnectionCheck): it needs the database.");
            else if (!PrivilegeProbe.AllowedBy(AllowedRoles))
                WriteWarning($"The privilege check was skipped: -AllowedRoles does not admit its probe role '{PrivilegeProbe.RoleName}'. " +
                    $"Add it to -AllowedRoles (or run once with '*') to prove at setup that '{Credential.UserName}' may create and drop users; " +
                    $"-SkipPrivilegeCheck silences this.");
            else if (ShouldProcess(target, $"Check the privileges of '{Credential.UserName}': " +
                $"issue and revoke a probe user through Vault role {engine.MountPath}/roles/{PrivilegeProbe.RoleName}"))
            {
                var leases = new Core.Leases.LeaseApi(client);
                string user = Credential.UserName;
                string probed = Run(ct => PrivilegeProbe.RunAsync(engine, leases, Name, user, VerboseSink.Write, ct), target, null);
                WriteVerbose($"The privilege check passed: '{user}' created and dropped probe user '{probed}' through Vault.");
            }
        }

        bool rotated = false;
        if (RotateRoot && ShouldProcess(target, $"Rotate the password of '{Credential.UserName}' so that only Vault knows it; this cannot be undone"))
        {
            Run(ct => engine.RotateRootAsync(Name, ct), target, "RotateRootFailed");
            rotated = true;
            WriteWarning($"The password of '{Credential.UserName}' was rotated: the one you passed no longer works, and only Vault knows the new one.");
        }

        if (!written && !rotated) return;
        DatabaseConnectionInfo? info = Run(ct => engine.ReadConnectionAsync(Name, ct), target);
        WriteObject(VaultDatabaseConnection.From(request, info, created, rotated));
    }
}

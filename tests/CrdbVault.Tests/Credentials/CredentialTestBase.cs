using CrdbVault.Tests.Infrastructure;
using Npgsql;

namespace CrdbVault.Tests.Credentials;

/// <summary>
/// A hosted PowerShell session connected to the sandbox's Vault double as root, with helpers to set
/// up a database mount + connection on the sandbox PostgreSQL. Each test class gets its own mount.
/// </summary>
public abstract class CredentialTestBase : IDisposable
{
    protected CredentialTestBase(SandboxFixture sandbox)
    {
        Sandbox = sandbox;
        Session = new PowerShellSession(new Dictionary<string, object?>
        {
            ["VaultAddress"] = sandbox.World.VaultAddress,
            ["RootToken"] = sandbox.World.RootToken,
            ["SqlHost"] = sandbox.World.Postgres.Host,
            ["SqlPort"] = sandbox.World.Postgres.Port,
            ["SqlCa"] = sandbox.World.Postgres.CaCertificatePath,
            ["SqlAdmin"] = sandbox.World.Postgres.AdminUser,
            ["SqlAdminPassword"] = sandbox.World.Postgres.AdminPassword,
        });
        Mount = SandboxFixture.Unique("db");
        Session.SetVariable("Mount", Mount);
        Session.Run("""
            $token = [System.Net.NetworkCredential]::new('', $RootToken).SecurePassword
            $admin = [pscredential]::new($SqlAdmin, [System.Net.NetworkCredential]::new('', $SqlAdminPassword).SecurePassword)
            Connect-CrdbVault -Address $VaultAddress -Token $token | Out-Null
            """).AssertSuccess();
    }

    protected SandboxFixture Sandbox { get; }
    protected PowerShellSession Session { get; }
    protected string Mount { get; }

    /// <summary>Runs Initialize-CrdbVaultDatabase for this class's mount (connection 'pg').</summary>
    protected void InitializeDatabase() => Session.Run("""
        Initialize-CrdbVaultDatabase -Name pg -MountPath $Mount -ConnectionUrl "postgresql://${SqlHost}:${SqlPort}/postgres?sslmode=verify-full&sslrootcert=$SqlCa" -Credential $admin -WarningAction SilentlyContinue | Out-Null
        """).AssertSuccess();

    protected async Task ExecSqlAsync(string sql)
    {
        await using var conn = new NpgsqlConnection(Sandbox.World.Postgres.AdminConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    protected async Task<long> CountRolesAsync(string likePattern)
    {
        await using var conn = new NpgsqlConnection(Sandbox.World.Postgres.AdminConnectionString);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_roles WHERE rolname LIKE $1", conn);
        cmd.Parameters.AddWithValue(likePattern);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>Number of requests the double has seen (to prove bad input sent nothing).</summary>
    protected int VaultRequestCount => Sandbox.World.Vault.RequestLog.Snapshot().Count;

    public void Dispose()
    {
        Session.Dispose();
        GC.SuppressFinalize(this);
    }
}

using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Credentials;

/// <summary>
/// The same scenario against a real Vault and CockroachDB when CRDBVAULT_LIVE_VAULT_ADDR,
/// CRDBVAULT_LIVE_VAULT_TOKEN and CRDBVAULT_LIVE_CRDB_URL (an admin URL with user and password) are
/// set; skipped otherwise (counted as skipped).
/// </summary>
public sealed class LiveVaultTests
{
    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    public sealed class LiveFactAttribute : FactAttribute
    {
        public LiveFactAttribute()
        {
            if (Env("CRDBVAULT_LIVE_VAULT_ADDR") is null || Env("CRDBVAULT_LIVE_VAULT_TOKEN") is null || Env("CRDBVAULT_LIVE_CRDB_URL") is null)
                Skip = "live mode: set CRDBVAULT_LIVE_VAULT_ADDR, CRDBVAULT_LIVE_VAULT_TOKEN and CRDBVAULT_LIVE_CRDB_URL to run against real servers";
        }
    }

    [LiveFact]
    public void DynamicCredentials_scenario_against_real_servers()
    {
        var url = new Uri(Env("CRDBVAULT_LIVE_CRDB_URL")!);
        string[] userInfo = Uri.UnescapeDataString(url.UserInfo).Split(':', 2);
        using var session = new PowerShellSession(new Dictionary<string, object?>
        {
            ["VaultAddress"] = Env("CRDBVAULT_LIVE_VAULT_ADDR"),
            ["VaultToken"] = Env("CRDBVAULT_LIVE_VAULT_TOKEN"),
            ["SqlHost"] = url.Host,
            ["SqlPort"] = url.Port,
            // verify-full against the cluster's CA, as the documented URL names it (sslrootcert=...).
            ["SqlCa"] = QueryValue(url, "sslrootcert"),
            ["SqlAdmin"] = userInfo[0],
            ["SqlAdminPassword"] = userInfo.Length > 1 ? userInfo[1] : "",
            ["Mount"] = "crdbvault-live-" + Guid.NewGuid().ToString("N")[..8],
            ["GroupRole"] = Env("CRDBVAULT_LIVE_GROUP_ROLE") ?? "crdbvault_live_rw",
        });
        string script = File.ReadAllText(Path.Combine(PowerShellSession.RepoRoot, "tests", "scenarios", "DynamicCredentials.ps1"));
        var r = session.Run(script);
        Assert.Equal("DynamicCredentials scenario passed", r.Output.LastOrDefault()?.ToString());
    }

    private static string? QueryValue(Uri url, string name) => url.Query.TrimStart('?').Split('&')
        .Select(pair => pair.Split('=', 2))
        .Where(kv => kv.Length == 2 && kv[0] == name)
        .Select(kv => Uri.UnescapeDataString(kv[1]))
        .FirstOrDefault();
}

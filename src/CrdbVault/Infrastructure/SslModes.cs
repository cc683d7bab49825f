using CrdbVault.Core.Sql;

namespace CrdbVault.Infrastructure;

/// <summary>libpq's sslmode names, for parameters typed as strings (keeps Core types out of cmdlet signatures, so import stays light).</summary>
internal static class SslModes
{
    internal const string Names = "disable,allow,prefer,require,verify-ca,verify-full";

    internal static SqlSslMode Parse(string? value) => value?.ToLowerInvariant() switch
    {
        "disable" => SqlSslMode.Disable,
        "allow" => SqlSslMode.Allow,
        "prefer" => SqlSslMode.Prefer,
        "require" => SqlSslMode.Require,
        "verify-ca" => SqlSslMode.VerifyCA,
        null or "" or "verify-full" => SqlSslMode.VerifyFull,
        _ => throw new ArgumentException($"-SslMode '{value}' is not one of {Names}.", "SslMode"),
    };
}

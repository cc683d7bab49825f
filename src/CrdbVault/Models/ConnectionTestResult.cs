using CrdbVault.Core.Sql;

namespace CrdbVault;

/// <summary>A successful SQL login: who the server says you are.</summary>
public sealed class ConnectionTestResult
{
    public required string Server { get; init; }
    public required int Port { get; init; }
    public required string Database { get; init; }
    public required string UserName { get; init; }
    public required string ServerVersion { get; init; }
    public required bool IsCockroachDb { get; init; }
    public required TimeSpan Latency { get; init; }
    public required string AuthenticationMethod { get; init; }

    internal static ConnectionTestResult From(SqlLoginResult result, string authenticationMethod) => new()
    {
        Server = result.Server,
        Port = result.Port,
        Database = result.Database,
        UserName = result.UserName,
        ServerVersion = result.ServerVersion,
        IsCockroachDb = result.IsCockroachDb,
        Latency = result.Latency,
        AuthenticationMethod = authenticationMethod,
    };

    public override string ToString() => $"{UserName}@{Server}:{Port}/{Database}";
}

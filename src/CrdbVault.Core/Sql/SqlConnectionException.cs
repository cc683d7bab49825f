namespace CrdbVault.Core.Sql;

/// <summary>A SQL login or connection failure, with a message that says what to check. Never carries the password.</summary>
public sealed class SqlConnectionException(string message, bool isAuthentication, string? sqlState = null, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>True when the server refused the credentials (SQLSTATE 28xxx).</summary>
    public bool IsAuthentication { get; } = isAuthentication;
    public string? SqlState { get; } = sqlState;
}

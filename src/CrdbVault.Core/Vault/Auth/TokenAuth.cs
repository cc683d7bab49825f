using System.Security;

namespace CrdbVault.Core.Vault.Auth;

/// <summary>A token given by the user (parameter, VAULT_TOKEN or ~/.vault-token). Cannot log in again.</summary>
public sealed class TokenAuth : IVaultAuthMethod
{
    public TokenAuth(SecureString token, string source)
    {
        Token = token;
        Source = source;
    }

    public SecureString Token { get; }

    /// <summary>Where the token came from ('parameter', 'VAULT_TOKEN', '~/.vault-token').</summary>
    public string Source { get; }

    public string Name => "token";
    public bool CanLogin => false;

    public Task<VaultAuthInfo> LoginAsync(VaultClient client, CancellationToken ct) =>
        throw new InvalidOperationException("A token cannot log in again; connect with a new token.");

    /// <summary>Finds the token the way the Vault CLI does: VAULT_TOKEN wins, then ~/.vault-token.</summary>
    public static TokenAuth? FromEnvironment()
    {
        string? env = Environment.GetEnvironmentVariable("VAULT_TOKEN");
        if (!string.IsNullOrWhiteSpace(env)) return new TokenAuth(Secrets.SecureStrings.From(env.Trim()), "VAULT_TOKEN");
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        string file = Path.Combine(home, ".vault-token");
        if (string.IsNullOrEmpty(home) || !File.Exists(file)) return null;
        return FromFile(file);
    }

    /// <summary>Reads a token file such as ~/.vault-token (at most 64 KiB; blanks around the token are dropped); null when empty.</summary>
    public static TokenAuth? FromFile(string file)
    {
        byte[] bytes = Validation.InputBudgets.ReadFile(file, Validation.InputBudgets.SmallFileBytes, size =>
            new ArgumentException($"'{file}' is {size / 1024} KiB: more than the {Validation.InputBudgets.Describe(Validation.InputBudgets.SmallFileBytes)} " +
                $"a token file may be. It should hold only the token (vault login writes it)."));
        string text = System.Text.Encoding.UTF8.GetString(bytes).Trim();
        return text.Length == 0 ? null : new TokenAuth(Secrets.SecureStrings.From(text), "~/.vault-token");
    }
}

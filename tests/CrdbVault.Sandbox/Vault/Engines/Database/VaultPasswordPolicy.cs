using System.Security.Cryptography;

namespace CrdbVault.Sandbox.Vault.Engines.Database;

/// <summary>Vault's default password policy: 20 characters from [a-zA-Z0-9-], at least one lower, upper, digit and dash.</summary>
public static class VaultPasswordPolicy
{
    private const string Charset = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";

    public static string Generate()
    {
        while (true)
        {
            string candidate = RandomNumberGenerator.GetString(Charset, 20);
            if (candidate.Any(char.IsAsciiLetterLower) && candidate.Any(char.IsAsciiLetterUpper)
                && candidate.Any(char.IsAsciiDigit) && candidate.Contains('-'))
                return candidate;
        }
    }
}

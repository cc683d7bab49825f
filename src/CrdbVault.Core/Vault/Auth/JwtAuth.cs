using System.Security;
using CrdbVault.Core.Secrets;
using CrdbVault.Core.Validation;

namespace CrdbVault.Core.Vault.Auth;

/// <summary>
/// A JWT from any other issuer, on a jwt mount: auth/&lt;mount&gt;/login {role, jwt}. Either a fixed
/// token (a SecureString: it cannot log in again once Vault's token runs out), or a file read afresh
/// at every login (Kubernetes projected service-account tokens and similar files are rotated).
/// </summary>
public sealed class JwtAuth : IVaultAuthMethod
{
    public const string DefaultMount = "jwt";

    private readonly SecureString? _jwt;

    private JwtAuth(string role, string mount, SecureString? jwt, string? path)
    {
        Role = InputValidator.PathSegment(role, "Role");
        Mount = InputValidator.VaultPath(mount, "AuthMount", "the auth mount such as 'jwt'");
        _jwt = jwt;
        Path = path;
    }

    /// <summary>A fixed token (-Jwt).</summary>
    public static JwtAuth FromToken(SecureString jwt, string role, string mount = DefaultMount)
    {
        InputValidator.Secret(jwt, "Jwt");
        return new JwtAuth(role, mount, jwt, null);
    }

    /// <summary>A token file read at every login (-JwtPath); <paramref name="path"/> is a full file-system path.</summary>
    public static JwtAuth FromFile(string path, string role, string mount = DefaultMount) => new(role, mount, null, path);

    public string Role { get; }
    public string Mount { get; }

    /// <summary>The token file, or null for a fixed token.</summary>
    public string? Path { get; }

    public string Name => "jwt";

    /// <summary>Only a file can give a new token; a fixed one is the same at every login.</summary>
    public bool CanLogin => Path is not null;

    public async Task<VaultAuthInfo> LoginAsync(VaultClient client, CancellationToken ct)
    {
        string jwt = _jwt is not null ? SecureStrings.Reveal(_jwt) : ReadFile(Path!);
        return await VaultLogin.SendAsync(client, Name, $"auth/{Mount}/login", new Dictionary<string, string> { ["role"] = Role, ["jwt"] = jwt }, Role, ct)
            .ConfigureAwait(false);
    }

    /// <summary>The token in the file (blanks around it dropped), at most 64 KiB; a missing, empty or odd file is refused.</summary>
    private static string ReadFile(string path)
    {
        byte[] bytes;
        try
        {
            bytes = InputBudgets.ReadFile(path, InputBudgets.SmallFileBytes, size => new ExternalTokenUnavailableException(
                $"The JWT file '{path}' is {size / 1024} KiB: more than the {InputBudgets.Describe(InputBudgets.SmallFileBytes)} a token file may be.", path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ExternalTokenUnavailableException($"Could not read the JWT file '{path}': {ex.Message} The file is read at every login; " +
                "check that whatever writes it (a projected service-account token, an agent) is running.", path, ex);
        }
        string text = System.Text.Encoding.UTF8.GetString(bytes).Trim();
        try
        {
            InputValidator.Secret(text, "JwtPath");
        }
        catch (ArgumentException)
        {
            throw new ExternalTokenUnavailableException($"The JWT file '{path}' is empty or holds more than one token (control characters); " +
                "it should hold only the token.", path);
        }
        return text;
    }

    public override string ToString() => $"jwt role={Role} mount={Mount}" + (Path is null ? "" : $" file={Path}");
}

namespace CrdbVault.Core.Vault;

/// <summary>Whether a secret sent to an address can be read on the network path.</summary>
public static class PlaintextTransport
{
    /// <summary>True for http:// to anything but this machine (localhost, 127.0.0.0/8, ::1).</summary>
    public static bool ExposesSecrets(Uri address) => address.Scheme == Uri.UriSchemeHttp && !address.IsLoopback;

    /// <summary>The warning for sending <paramref name="what"/> to <paramref name="address"/>, or null when the transport is safe.</summary>
    public static string? Warning(Uri address, string what) => ExposesSecrets(address)
        ? $"UNENCRYPTED: {address.GetLeftPart(UriPartial.Authority)} is plain http:// to another machine, so {what} and every secret Vault returns cross the " +
            $"network readable by anyone on the path. Use https:// (with -CACertificate for a private CA); plain http is for a Vault on this machine only."
        : null;
}

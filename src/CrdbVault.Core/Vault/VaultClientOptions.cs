namespace CrdbVault.Core.Vault;

/// <summary>How to reach a Vault server. Holds no secret.</summary>
public sealed class VaultClientOptions
{
    public required Uri Address { get; init; }

    /// <summary>Enterprise/HCP namespace, sent as <c>X-Vault-Namespace</c>.</summary>
    public string? Namespace { get; init; }

    /// <summary>PEM file with the CA that signed Vault's TLS certificate (VAULT_CACERT).</summary>
    public string? CaCertificatePath { get; init; }

    /// <summary>Accept any TLS certificate (VAULT_SKIP_VERIFY). For labs only.</summary>
    public bool SkipCertificateCheck { get; init; }

    /// <summary>Per-request timeout (VAULT_CLIENT_TIMEOUT, default 60 s like the Go client).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Attempts for idempotent calls (3 = the Go client's default of 2 retries).</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>
    /// Base wait between retries; attempt n waits about n × (1–1.5) × this (default
    /// <see cref="Settings.ModuleSettings.RetryBaseDelay"/>).
    /// </summary>
    public TimeSpan RetryBaseDelay { get; init; } = Settings.ModuleSettings.RetryBaseDelay;

    /// <summary>Receives one line per HTTP exchange (method, path, status, time): never a body or header value.</summary>
    public Action<string>? Trace { get; init; }
}

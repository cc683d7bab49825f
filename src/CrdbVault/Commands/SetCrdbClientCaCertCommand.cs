using System.Management.Automation;
using CrdbVault.Core.Cloud;
using CrdbVault.Infrastructure;

namespace CrdbVault.Commands;

/// <summary>
/// <para type="synopsis">Sets or replaces the client CA certificate of a CockroachDB Cloud cluster and waits until it is in force.</para>
/// <para type="description">Uploads the CA that signs your SQL client certificates, so clients can log in
/// with certificates issued by Vault PKI. The first upload is a POST, a replacement a PATCH; the
/// cmdlet reads the current state and picks. The Cloud applies the change asynchronously
/// (PENDING → IS_SET); the cmdlet waits with a progress bar, up to -TimeoutSeconds (default 600),
/// or returns right after submitting with -NoWait. Ctrl+C stops the wait (not the change).
/// -Certificate takes PEM text, a .pem/.crt/.cer path, an X509Certificate2, or any object with a
/// Pem or Certificate property, so `Get-CrdbCertificateAuthority | Set-CrdbClientCaCert -ClusterId $id`
/// works. Several certificates (one PEM bundle, or several objects piped) are uploaded as one bundle
/// for a gradual CA rollover. Before any request the input is refused when it is not a certificate,
/// is not a CA (basicConstraints CA:TRUE), or contains a private key: a key never leaves the machine.
/// If exactly these certificates are already set, nothing is sent.</para>
/// </summary>
[Cmdlet(VerbsCommon.Set, "CrdbClientCaCert", SupportsShouldProcess = true)]
[OutputType(typeof(ClientCaCertStatus))]
[InputErrorId("InvalidClientCaCertificate")]
public sealed class SetCrdbClientCaCertCommand : CloudCmdlet
{
    private readonly List<(string ClusterId, ClientCaBundle Bundle)> _pending = [];

    /// <summary>The cluster's ID (a UUID from the Cloud Console or 'ccloud cluster info'; not the routing ID). Not taken from piped objects: a piped status
    /// object would bring its old Pem along.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    [Input(InputKind.ClusterId)]
    public string ClusterId { get; set; } = "";

    /// <summary>PEM text, a certificate file path, an X509Certificate2, or an object with a Pem or Certificate property (e.g. Get-CrdbCertificateAuthority's
    /// output).</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    public object? Certificate { get; set; }

    /// <summary>The CA as PEM text; bound by property name from objects that carry one (Get-CrdbCertificateAuthority).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Input(InputKind.Pem, AllowEmpty = true)]
    public string? Pem { get; set; }

    /// <summary>Return right after the Cloud accepted the change (status PENDING) instead of waiting for IS_SET.</summary>
    [Parameter]
    public SwitchParameter NoWait { get; set; }

    /// <summary>How long to wait for the change to apply (default 600 s, Terraform's value). The change goes on at the Cloud after a timeout.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSeconds { get; set; } = 600;

    protected override void ProcessCheckedRecord()
    {
        ClientCaBundle bundle = Checked(() => !string.IsNullOrWhiteSpace(Pem)
            ? ClientCaBundle.FromPem(Pem, "the Pem value")
            : ClientCaInput.Resolve(Certificate, p => FileSystemPath(p, nameof(Certificate),
                "InvalidClientCaCertificate")), "InvalidClientCaCertificate", Certificate is string or null ? null : Certificate);
        foreach (var c in bundle.Certificates.Where(c => c.NotAfter < DateTime.Now))
            WriteWarning($"CA '{c.Subject}' expired on {c.NotAfter:u}: client certificates it signed will not be accepted.");
        _pending.Add((ClusterId, bundle));
    }

    protected override void EndProcessing()
    {
        if (RefusedBeforePipeline) return; // already reported
        if (AnyRecordRefused)
            ThrowInvalidArgument("Nothing was sent: a piped certificate or cluster ID was refused (see the error above). The CAs of a bundle go together; " +
                "fix the input and run again.", "InvalidClientCaCertificate");
        foreach (IGrouping<string, (string ClusterId, ClientCaBundle Bundle)> group in _pending.GroupBy(p => p.ClusterId, StringComparer.Ordinal))
        {
            using ClientCaBundle bundle = ClientCaBundle.Combine(group.Select(g => g.Bundle).ToList());
            Apply(group.Key, bundle);
        }
    }

    private void Apply(string clusterId, ClientCaBundle bundle)
    {
        CloudApiClient client = ResolveSession().Client;
        ClientCaCertInfo current = Run(ct => client.GetClientCaCertAsync(clusterId, ct), clusterId);
        if (current.Status == ClientCaState.Pending)
            ThrowMapped(new InvalidOperationException($"A client CA change on cluster {clusterId} is still PENDING. " +
                $"Wait for it (Get-CrdbClientCaCert -ClusterId {clusterId}) and run this again."), clusterId, "ClientCaChangePending");
        if (current.Status == ClientCaState.IsSet && bundle.SameAs(current.X509PemCert))
        {
            WriteVerbose($"Cluster {clusterId} already trusts exactly these certificates ({bundle}); nothing sent.");
            WriteObject(ClientCaCertStatus.From(current));
            return;
        }
        bool replace = current.Status == ClientCaState.IsSet || !string.IsNullOrWhiteSpace(current.X509PemCert);
        string what = bundle.Certificates.Count == 1 ? $"CA '{bundle.Certificates[0].Subject}'" : $"a bundle of {bundle.Certificates.Count} CAs ({bundle})";
        if (!ShouldProcess($"cluster {clusterId}", replace ? $"Replace the client CA certificate with {what}" : $"Set the client CA certificate to {what}"))
            return;

        ClientCaCertInfo submitted = Run(ct => replace
            ? client.UpdateClientCaCertAsync(clusterId, bundle.Pem, ct)
            : client.SetClientCaCertAsync(clusterId, bundle.Pem, ct), clusterId);
        WriteVerbose($"{(replace ? "PATCH" : "POST")} accepted for cluster {clusterId}; status {submitted.Status}.");
        if (NoWait)
        {
            WriteObject(ClientCaCertStatus.From(submitted));
            return;
        }
        string activity = $"Client CA certificate on cluster {clusterId}";
        ClientCaCertInfo done = RunWithProgress<ClientCaCertInfo, CloudWaitProgress<ClientCaCertInfo>>(
            (progress, ct) => client.WaitForClientCaCertAsync(clusterId, i => i.Status == ClientCaState.IsSet, TimeSpan.FromSeconds(TimeoutSeconds), progress,
                ct),
            p => WriteProgress(WaitRecord(1, activity, p)),
            clusterId);
        WriteProgress(Completed(1, activity));
        WriteObject(ClientCaCertStatus.From(done));
    }
}

using System.Collections;
using System.Management.Automation;
using System.Security.Cryptography.X509Certificates;
using CrdbVault.Core.Cloud;
using CrdbVault.Core.Validation;

namespace CrdbVault.Infrastructure;

/// <summary>
/// Turns what a user gives Set-CrdbClientCaCert into a checked <see cref="ClientCaBundle"/>: PEM
/// text, a file path (PEM or DER), an X509Certificate2, or any object with a Pem (string) or
/// Certificate (X509Certificate2) property — Get-CrdbCertificateAuthority's output among them.
/// </summary>
internal static class ClientCaInput
{
    public static ClientCaBundle Resolve(object? input, Func<string, string> resolvePath)
    {
        object? value = input is PSObject pso ? pso.BaseObject : input;
        switch (value)
        {
            case null:
                throw new ArgumentException("No certificate given. Pass -Certificate with PEM text, a certificate file path or an X509Certificate2, " +
                    "or pipe Get-CrdbCertificateAuthority into Set-CrdbClientCaCert.");
            case X509Certificate2 certificate:
                return ClientCaBundle.FromCertificates([certificate], $"certificate '{certificate.Subject}'");
            case X509Certificate2Collection collection:
                return ClientCaBundle.FromCertificates(collection.Cast<X509Certificate2>().ToList(), "the certificate collection");
            case string text:
                return FromString(text, resolvePath);
            case FileInfo file:
                return FromPath(file.FullName);
            case byte[] bytes:
                return ClientCaBundle.FromFileBytes(bytes, "the byte array");
            case IDictionary dictionary:
                return FromProperties(key => dictionary.Contains(key) ? dictionary[key] : null, resolvePath);
            case IEnumerable items:
                var parts = new List<ClientCaBundle>();
                try
                {
                    foreach (object? item in items) parts.Add(Resolve(item, resolvePath));
                    return ClientCaBundle.Combine(parts);
                }
                finally
                {
                    foreach (ClientCaBundle b in parts) b.Dispose();
                }
        }
        PSObject wrapped = input as PSObject ?? PSObject.AsPSObject(value);
        return FromProperties(name => wrapped.Properties[name]?.Value, resolvePath, wrapped.TypeNames.FirstOrDefault());
    }

    private static ClientCaBundle FromProperties(Func<string, object?> property, Func<string, string> resolvePath, string? typeName = null)
    {
        object? pem = Unwrap(property("Pem"));
        if (pem is string s && !string.IsNullOrWhiteSpace(s))
            return ClientCaBundle.FromPem(s, "the object's Pem property");
        object? certificate = Unwrap(property("Certificate"));
        if (certificate is X509Certificate2 or string or X509Certificate2Collection)
            return Resolve(certificate, resolvePath);
        throw new ArgumentException($"Cannot use {(typeName is null ? "this object" : $"a {typeName}")} as a client CA: it has neither a Pem (string) " +
            $"nor a Certificate (X509Certificate2) property. Pass PEM text, a file path, an X509Certificate2, or Get-CrdbCertificateAuthority's output.");
    }

    private static object? Unwrap(object? o) => o is PSObject p ? p.BaseObject : o;

    private static ClientCaBundle FromString(string text, Func<string, string> resolvePath)
    {
        if (text.Contains("-----BEGIN", StringComparison.Ordinal))
            return ClientCaBundle.FromPem(text, "the PEM text");
        if (string.IsNullOrWhiteSpace(text))
            throw new ArgumentException("-Certificate is empty. Pass PEM text, a certificate file path or an X509Certificate2.");
        string path = resolvePath(text.Trim());
        if (!File.Exists(path))
            throw new ArgumentException($"-Certificate {InputValidator.Shown(text)} is neither PEM text (it has no '-----BEGIN CERTIFICATE-----') " +
                $"nor an existing file. Pass the CA's PEM, a path to its .pem/.crt file, or an X509Certificate2.");
        return FromPath(path);
    }

    private static ClientCaBundle FromPath(string path)
    {
        byte[] bytes = InputBudgets.ReadFile(path, InputBudgets.PemBytes, size =>
            new ArgumentException($"File '{path}' is {size / 1024} KiB: too big to be a CA certificate bundle (at most " +
                $"{InputBudgets.Describe(InputBudgets.PemBytes)}). Point -Certificate at the CA's PEM or DER file."));
        return ClientCaBundle.FromFileBytes(bytes, path);
    }
}

using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CrdbVault.Sandbox.Vault.Engines.Pki;

/// <summary>A private key the double holds: an issuer's key or a freshly generated leaf key.</summary>
internal sealed class PkiKey : IDisposable
{
    public PkiKey(AsymmetricAlgorithm algorithm, string? id = null, string name = "")
    {
        Algorithm = algorithm;
        Id = id ?? Guid.NewGuid().ToString();
        Name = name;
    }

    public string Id { get; }
    public string Name { get; set; }
    public AsymmetricAlgorithm Algorithm { get; }
    public string Type => Algorithm is RSA ? "rsa" : "ec";
    public int Bits => Algorithm.KeySize;

    public PublicKey PublicKey => Algorithm switch
    {
        RSA r => new PublicKey(r),
        ECDsa e => new PublicKey(e),
        _ => throw new InvalidOperationException("unsupported key"),
    };

    public X509SignatureGenerator SignatureGenerator() => Algorithm switch
    {
        RSA r => X509SignatureGenerator.CreateForRSA(r, RSASignaturePadding.Pkcs1),
        ECDsa e => X509SignatureGenerator.CreateForECDsa(e),
        _ => throw new InvalidOperationException("unsupported key"),
    };

    /// <summary>SHA-256 for RSA; the curve's size for NIST curves (Vault's signature_bits=0).</summary>
    public HashAlgorithmName Hash(int signatureBits = 0) => signatureBits switch
    {
        384 => HashAlgorithmName.SHA384,
        512 => HashAlgorithmName.SHA512,
        256 => HashAlgorithmName.SHA256,
        _ => Algorithm is ECDsa ? Bits switch { >= 521 => HashAlgorithmName.SHA512, >= 384 => HashAlgorithmName.SHA384, _ => HashAlgorithmName.SHA256 } : HashAlgorithmName.SHA256,
    };

    /// <summary>private_key_format der (default): PKCS#1 "RSA PRIVATE KEY" / SEC1 "EC PRIVATE KEY"; pkcs8: "PRIVATE KEY".</summary>
    public byte[] ExportDer(bool pkcs8) => pkcs8 ? Algorithm.ExportPkcs8PrivateKey() : Algorithm switch
    {
        RSA r => r.ExportRSAPrivateKey(),
        ECDsa e => e.ExportECPrivateKey(),
        _ => throw new InvalidOperationException("unsupported key"),
    };

    public string ExportPem(bool pkcs8) => new(PemEncoding.Write(pkcs8 ? "PRIVATE KEY" : Algorithm is RSA ? "RSA PRIVATE KEY" : "EC PRIVATE KEY", ExportDer(pkcs8)));

    public bool Matches(PublicKey other) =>
        other.EncodedKeyValue.RawData.AsSpan().SequenceEqual(PublicKey.EncodedKeyValue.RawData);

    public void Dispose() => Algorithm.Dispose();
}

internal static class PkiKeys
{
    /// <summary>Vault's certutil.ValidateKeyTypeLength: 0 means the type's default (rsa 2048, ec 256).</summary>
    public static int ValidateKeyTypeAndBits(string keyType, int bits, bool allowAny)
    {
        switch (keyType)
        {
            case "rsa":
                if (bits == 0) return 2048;
                if (bits is 2048 or 3072 or 4096 or 8192) return bits;
                throw new PkiRequestException($"unsupported bit length for RSA key: {bits}");
            case "ec":
                if (bits == 0) return 256;
                if (bits is 224 or 256 or 384 or 521) return bits;
                throw new PkiRequestException($"unsupported bit length for EC key: {bits}");
            case "ed25519":
                throw new PkiRequestException("key_type ed25519 is not supported by this Vault double (.NET cannot issue Ed25519 certificates); use rsa or ec");
            case "any" when allowAny:
                return bits;
            default:
                throw new PkiRequestException($"unknown key type: {keyType}");
        }
    }

    public static PkiKey Generate(string keyType, int bits) => keyType switch
    {
        "rsa" => new PkiKey(RSA.Create(bits)),
        "ec" => new PkiKey(ECDsa.Create(bits switch
        {
            224 => ECCurve.CreateFromFriendlyName("secp224r1"),
            384 => ECCurve.NamedCurves.nistP384,
            521 => ECCurve.NamedCurves.nistP521,
            _ => ECCurve.NamedCurves.nistP256,
        })),
        _ => throw new PkiRequestException($"unknown key type: {keyType}"),
    };

    /// <summary>A key from a PEM block (PKCS#1, SEC1 or PKCS#8), or null when the label is no key.</summary>
    public static PkiKey? FromPem(string label, byte[] der)
    {
        switch (label)
        {
            case "RSA PRIVATE KEY":
                var rsa = RSA.Create();
                rsa.ImportRSAPrivateKey(der, out _);
                return new PkiKey(rsa);
            case "EC PRIVATE KEY":
                var ec = ECDsa.Create();
                ec.ImportECPrivateKey(der, out _);
                return new PkiKey(ec);
            case "PRIVATE KEY":
                try
                {
                    var r = RSA.Create();
                    r.ImportPkcs8PrivateKey(der, out _);
                    return new PkiKey(r);
                }
                catch (CryptographicException)
                {
                    var e = ECDsa.Create();
                    e.ImportPkcs8PrivateKey(der, out _);
                    return new PkiKey(e);
                }
            default:
                return null;
        }
    }

    /// <summary>The public key of a CSR as a key type and size, for the role's key checks.</summary>
    public static (string Type, int Bits) Describe(PublicKey key)
    {
        if (key.GetRSAPublicKey() is RSA r) using (r) return ("rsa", r.KeySize);
        if (key.GetECDsaPublicKey() is ECDsa e) using (e) return ("ec", e.KeySize);
        return (key.Oid.FriendlyName ?? key.Oid.Value ?? "unknown", 0);
    }
}

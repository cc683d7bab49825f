using System.Security.Cryptography;
using CrdbVault.Core.Pipelines;
using Xunit;

namespace CrdbVault.Tests.Pipelines;

/// <summary>What CiMasking writes, through its seams (the process-level behaviour is in CiProcessTests).</summary>
public sealed class CiMaskingTests
{
    private static (CiMasking Masking, List<string> Written) Create(params (string, string)[] vars)
    {
        var d = vars.ToDictionary(v => v.Item1, v => v.Item2);
        var written = new List<string>();
        return (new CiMasking(() => CiEnvironment.From(n => d.GetValueOrDefault(n)), lines => written.AddRange(lines)), written);
    }

    [Fact]
    public void A_password_is_one_setsecret_line_in_Azure_DevOps()
    {
        var (masking, written) = Create(("TF_BUILD", "True"));
        masking.Add("s3cr%t");
        Assert.Equal(["##vso[task.setsecret]s3cr%AZP25t"], written);
    }

    [Fact]
    public void A_password_is_one_add_mask_line_in_GitHub()
    {
        var (masking, written) = Create(("GITHUB_ACTIONS", "true"));
        masking.Add("s3cr%t");
        Assert.Equal(["::add-mask::s3cr%25t"], written);
    }

    [Fact]
    public void A_PEM_key_is_registered_line_by_line_without_its_armour()
    {
        using var rsa = RSA.Create(2048);
        string pem = rsa.ExportPkcs8PrivateKeyPem() + "\n";
        string[] body = pem.Split('\n').Where(l => l.Length > 0 && !l.StartsWith("-----", StringComparison.Ordinal)).ToArray();

        var (masking, written) = Create(("GITHUB_ACTIONS", "true"));
        masking.Add(pem.Replace("\n", "\r\n"));
        Assert.Equal(body.Select(l => "::add-mask::" + l), written);
        Assert.DoesNotContain(written, w => w.Contains("BEGIN", StringComparison.Ordinal) || w.Contains("END", StringComparison.Ordinal));
    }

    [Fact]
    public void Blank_lines_are_never_registered()
    {
        var (masking, written) = Create(("TF_BUILD", "True"));
        masking.Add("a\n\n   \r\n\tb");
        Assert.Equal(["##vso[task.setsecret]a", "##vso[task.setsecret]\tb"], written);
        masking.Add("   ");
        Assert.Equal(2, written.Count);
    }

    [Fact]
    public void Outside_CI_or_turned_off_nothing_is_written()
    {
        foreach (var vars in new[]
        {
            Array.Empty<(string, string)>(),
            [("TF_BUILD", "True"), (CiEnvironment.MaskingVariable, "off")],
            [("GITHUB_ACTIONS", "true"), (CiEnvironment.MaskingVariable, "Off")],
            [("TF_BUILD", "True"), ("GITHUB_ACTIONS", "true")],
        })
        {
            var (masking, written) = Create(vars);
            Assert.Empty(masking.Add("secret"));
            Assert.Empty(written);
        }
    }

    [Fact]
    public void Repeated_lines_are_registered_once_per_call()
    {
        var (masking, written) = Create(("TF_BUILD", "True"));
        masking.Add("postgresql://u:pw@h/db", "pw", "pw");
        Assert.Equal(["##vso[task.setsecret]postgresql://u:pw@h/db", "##vso[task.setsecret]pw"], written);
    }
}

using CrdbVault.Core.Policies;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Policies;

/// <summary>
/// Every permission-denied error says "see Get-Help about_CrdbVault_Policies": the topic ships with
/// the module (en-US beside CrdbVault.dll) and holds a policy for each job.
/// </summary>
public sealed class PolicyTopicTests
{
    [Fact]
    public void Get_Help_about_CrdbVault_Policies_works_in_the_engine()
    {
        using var ps = new PowerShellSession();
        ScriptResult r = ps.Run("Get-Help about_CrdbVault_Policies").AssertSuccess();
        string text = string.Concat(r.Output.Select(o => o.ToString()));
        Assert.Contains("about_CrdbVault_Policies", text);
        foreach (string job in new[] { "ADMIN SETUP", "ISSUING DYNAMIC CREDENTIALS", "ISSUING CLIENT CERTIFICATES", "KEY OPERATOR", "CLOUD CMEK OPERATOR" })
            Assert.Contains(job, text);
        Assert.Contains("path \"database/creds/app\"", text);
    }

    private static string TopicPath => Path.Combine(PowerShellSession.RepoRoot, "src", "CrdbVault", "en-US", "about_CrdbVault_Policies.help.txt");

    [Fact]
    public void The_shipped_topic_is_what_Core_renders_so_its_policies_are_the_tested_ones()
    {
        string rendered = PolicyTopic.Render();
        if (Environment.GetEnvironmentVariable("CRDBVAULT_WRITE_POLICY_TOPIC") == "1") File.WriteAllText(TopicPath, rendered);
        Assert.True(File.Exists(TopicPath), $"{TopicPath} is missing; write it with CRDBVAULT_WRITE_POLICY_TOPIC=1 dotnet test --filter PolicyTopicTests");
        Assert.Equal(rendered, File.ReadAllText(TopicPath).Replace("\r\n", "\n"));
        foreach (VaultPolicyDefinition p in VaultPolicies.Defaults())
            foreach (string line in p.Hcl.TrimEnd('\n').Split('\n'))
                Assert.Contains("        " + line + "\n", rendered);
        Assert.Equal(PolicyTopic.Render(), File.ReadAllText(Path.Combine(PowerShellSession.RepoRoot, "out", "CrdbVault", "en-US", "about_CrdbVault_Policies.help.txt")).Replace("\r\n", "\n"));
    }

    [Fact]
    public void Every_topic_policy_parses_in_the_Vault_doubles_policy_engine()
    {
        foreach (VaultPolicyDefinition p in VaultPolicies.Defaults())
            Assert.NotEmpty(CrdbVault.Sandbox.Vault.Policies.PolicyParser.Parse(p.Hcl));
    }
}

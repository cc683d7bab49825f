using CrdbVault.Core.Pipelines;
using Xunit;

namespace CrdbVault.Tests.Pipelines;

public sealed class CiEnvironmentTests
{
    private static CiEnvironment Env(params (string Name, string Value)[] vars)
    {
        var d = vars.ToDictionary(v => v.Name, v => v.Value);
        return CiEnvironment.From(n => d.GetValueOrDefault(n));
    }

    [Theory]
    [InlineData("True", CiSystem.AzureDevOps)]
    [InlineData("true", CiSystem.AzureDevOps)]
    [InlineData(" TRUE ", CiSystem.AzureDevOps)]
    [InlineData("False", CiSystem.None)]
    [InlineData("", CiSystem.None)]
    [InlineData("1", CiSystem.None)]
    public void TF_BUILD_True_means_Azure_DevOps(string value, CiSystem expected)
    {
        CiEnvironment env = Env(("TF_BUILD", value));
        Assert.Equal(expected, env.System);
        Assert.Equal(expected != CiSystem.None, env.MaskingEnabled);
    }

    [Theory]
    [InlineData("true", CiSystem.GitHubActions)]
    [InlineData("True", CiSystem.GitHubActions)]
    [InlineData("false", CiSystem.None)]
    public void GITHUB_ACTIONS_true_means_GitHub_Actions(string value, CiSystem expected) =>
        Assert.Equal(expected, Env(("GITHUB_ACTIONS", value)).System);

    [Fact]
    public void Both_at_once_is_ambiguous_and_masks_nothing()
    {
        CiEnvironment env = Env(("TF_BUILD", "True"), ("GITHUB_ACTIONS", "true"));
        Assert.True(env.Ambiguous);
        Assert.Equal(CiSystem.None, env.System);
        Assert.False(env.MaskingEnabled);
    }

    [Fact]
    public void Nothing_set_is_no_CI_system()
    {
        CiEnvironment env = Env();
        Assert.Equal(CiSystem.None, env.System);
        Assert.False(env.Ambiguous);
        Assert.False(env.MaskingEnabled);
    }

    [Theory]
    [InlineData("off")]
    [InlineData("OFF")]
    [InlineData("false")]
    [InlineData("0")]
    [InlineData("no")]
    public void CRDBVAULT_CI_MASKING_off_turns_masking_off(string value)
    {
        Assert.False(Env(("TF_BUILD", "True"), (CiEnvironment.MaskingVariable, value)).MaskingEnabled);
        Assert.False(Env(("GITHUB_ACTIONS", "true"), (CiEnvironment.MaskingVariable, value)).MaskingEnabled);
    }

    [Theory]
    [InlineData("on")]
    [InlineData("")]
    [InlineData("yes")]
    public void Other_values_leave_masking_on(string value) =>
        Assert.True(Env(("TF_BUILD", "True"), (CiEnvironment.MaskingVariable, value)).MaskingEnabled);
}

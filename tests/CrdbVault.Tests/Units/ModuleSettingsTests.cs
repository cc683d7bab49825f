using CrdbVault.Core.Settings;
using Xunit;

namespace CrdbVault.Tests.Units;

/// <summary>
/// The documented knobs of docs/settings.md. Only the IMDS endpoint is changed here: nothing else in
/// the process reads it yet, so setting it cannot slow or break a test running beside this one.
/// </summary>
public sealed class ModuleSettingsTests
{
    [Theory]
    [InlineData(null, "http://169.254.169.254/")]
    [InlineData("", "http://169.254.169.254/")]
    [InlineData("http://127.0.0.1:40342", "http://127.0.0.1:40342/")]
    [InlineData("https://imds.example.test/base/", "https://imds.example.test/base/")]
    [InlineData("file:///etc/passwd", "http://169.254.169.254/")]
    [InlineData("169.254.169.254", "http://169.254.169.254/")]
    [InlineData("not a url", "http://169.254.169.254/")]
    public void The_IMDS_endpoint_is_an_absolute_http_URL_or_the_default(string? value, string expected)
    {
        string? before = Environment.GetEnvironmentVariable(ModuleSettings.ImdsEndpointVariable);
        try
        {
            Environment.SetEnvironmentVariable(ModuleSettings.ImdsEndpointVariable, value);
            Assert.Equal(expected, ModuleSettings.ImdsEndpoint.AbsoluteUri);
        }
        finally
        {
            Environment.SetEnvironmentVariable(ModuleSettings.ImdsEndpointVariable, before);
        }
    }
}

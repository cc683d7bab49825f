using System.Text.Json;
using CrdbVault.Core.Vault;
using Xunit;

namespace CrdbVault.Tests.Units;

public class VaultDurationTests
{
    [Theory]
    [InlineData("90m", 5400)]
    [InlineData("1h30m", 5400)]
    [InlineData("768h", 2764800)]
    [InlineData("45s", 45)]
    [InlineData("2d", 172800)]
    [InlineData("7200", 7200)]
    [InlineData(" 1h ", 3600)]
    [InlineData("1.5h", 5400)]
    public void Parses_vault_durations_and_seconds(string text, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), VaultDuration.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("abc")]
    [InlineData("10 minutes")]
    [InlineData("-5m")]
    [InlineData("5x")]
    public void Rejects_garbage_with_a_message_showing_the_accepted_forms(string text)
    {
        var ex = Assert.Throws<FormatException>(() => VaultDuration.Parse(text));
        Assert.Contains("'90m'", ex.Message);
    }

    [Fact]
    public void Formats_as_whole_seconds() => Assert.Equal("5401s", VaultDuration.Format(TimeSpan.FromSeconds(5400.2)));

    [Theory]
    [InlineData("3600", 3600)]
    [InlineData("\"1h\"", 3600)]
    [InlineData("\"\"", 0)]
    [InlineData("null", 0)]
    public void Reads_ttls_sent_as_numbers_or_strings(string json, int seconds)
    {
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(TimeSpan.FromSeconds(seconds), VaultDuration.FromJson(doc.RootElement));
    }
}

using System.Text;
using CrdbVault.Core.Pipelines;
using Xunit;

namespace CrdbVault.Tests.Pipelines;

/// <summary>Each system's escaping, checked on the class of hostile values, not one example.</summary>
public sealed class LoggingCommandTests
{
    /// <summary>Values that would break a naive writer: escapes that look already escaped, line breaks that start a command of their own.</summary>
    public static TheoryData<string> HostileValues() => new()
    {
        "plain",
        "100%",
        "%0A",
        "%AZP25",
        "%25%0D%0A",
        "a\nb",
        "a\r\nb",
        "a\rb",
        "\n##vso[task.setvariable variable=PATH]/tmp/evil",
        "x\r::add-mask::",
        "\n::set-env name=X::y",
        "]ends;with]brackets;",
        "a:b,c",
        "\u2028unicode line separator\u0085next line",
        "tab\there",
        "",
        "%",
        "\r\n\r\n",
    };

    [Fact]
    public void Azure_DevOps_escapes_percent_CR_and_LF_in_data()
    {
        Assert.Equal("100%AZP25 done%0D%0Anext", LoggingCommands.AzureData("100% done\r\nnext"));
        Assert.Equal("%AZP250A", LoggingCommands.AzureData("%0A"));
        Assert.Equal("a%3Bb%5Dc%AZP25", LoggingCommands.AzureProperty("a;b]c%"));
    }

    [Fact]
    public void GitHub_escapes_percent_CR_and_LF_in_data()
    {
        Assert.Equal("100%25 done%0D%0Anext", LoggingCommands.GitHubData("100% done\r\nnext"));
        Assert.Equal("%250A", LoggingCommands.GitHubData("%0A"));
        Assert.Equal("a%3Ab%2Cc%25", LoggingCommands.GitHubProperty("a:b,c%"));
    }

    [Fact]
    public void Commands_have_the_documented_shape()
    {
        Assert.Equal("##vso[task.setsecret]p%AZP25ss", LoggingCommands.Mask(CiSystem.AzureDevOps, "p%ss"));
        Assert.Equal("::add-mask::p%25ss", LoggingCommands.Mask(CiSystem.GitHubActions, "p%ss"));
        Assert.Equal("##vso[task.setvariable variable=DB_PASSWORD;issecret=true;isoutput=false]x%0Ay",
            LoggingCommands.AzureSetVariable("DB_PASSWORD", "x\ny", secret: true, isOutput: false));
        Assert.Equal("##vso[task.setvariable variable=N;issecret=false;isoutput=true]v",
            LoggingCommands.AzureSetVariable("N", "v", secret: false, isOutput: true));
        Assert.Throws<ArgumentOutOfRangeException>(() => LoggingCommands.Mask(CiSystem.None, "x"));
    }

    [Theory]
    [MemberData(nameof(HostileValues))]
    public void Every_value_stays_on_one_line_and_unescapes_to_itself(string value)
    {
        string azure = LoggingCommands.AzureSetVariable("V", value, secret: true, isOutput: false);
        string github = LoggingCommands.Mask(CiSystem.GitHubActions, value);
        foreach (string line in new[] { azure, github })
        {
            Assert.DoesNotContain('\r', line);
            Assert.DoesNotContain('\n', line);
        }
        Assert.StartsWith("##vso[task.setvariable variable=V;issecret=true;isoutput=false]", azure);
        Assert.Equal(value, UnescapeAzure(azure[(azure.IndexOf(']') + 1)..]));
        Assert.Equal(value, UnescapeGitHub(github["::add-mask::".Length..]));
        Assert.Equal(value, UnescapeAzure(LoggingCommands.AzureProperty(value), property: true));
    }

    // The agents' documented unescaping, applied left to right in one pass (as their parsers do).
    private static string UnescapeAzure(string s, bool property = false)
    {
        var map = new Dictionary<string, string> { ["%AZP25"] = "%", ["%0D"] = "\r", ["%0A"] = "\n" };
        if (property) { map["%3B"] = ";"; map["%5D"] = "]"; }
        return Unescape(s, map);
    }

    private static string UnescapeGitHub(string s) => Unescape(s, new() { ["%25"] = "%", ["%0D"] = "\r", ["%0A"] = "\n" });

    private static string Unescape(string s, Dictionary<string, string> map)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < s.Length;)
        {
            string? hit = map.Keys.FirstOrDefault(k => string.CompareOrdinal(s, i, k, 0, k.Length) == 0);
            if (hit is null) { sb.Append(s[i]); i++; }
            else { sb.Append(map[hit]); i += hit.Length; }
        }
        return sb.ToString();
    }
}

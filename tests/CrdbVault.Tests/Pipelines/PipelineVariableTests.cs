using System.Security;
using CrdbVault.Core.Pipelines;
using CrdbVault.Core.Secrets;
using CrdbVault.Core.Validation;
using Xunit;

namespace CrdbVault.Tests.Pipelines;

/// <summary>Everything Set-CrdbPipelineVariable checks before it writes (the writing itself: CiProcessTests).</summary>
public sealed class PipelineVariableTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("crdbvault-ghfiles-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private CiEnvironment Azure() => CiEnvironment.From(n => n == "TF_BUILD" ? "True" : null);

    private CiEnvironment GitHub(bool files = true) => CiEnvironment.From(n => n switch
    {
        "GITHUB_ACTIONS" => "true",
        "GITHUB_ENV" when files => Path.Combine(_dir, "env"),
        "GITHUB_OUTPUT" when files => Path.Combine(_dir, "output"),
        _ => null,
    });

    private static SecureString S(string text) => SecureStrings.From(text);

    public static TheoryData<string> BadNames() => new()
    {
        "", " ", "A\n", "A\r\n", "1ABC", "A B", "A-B", "A.B", "A=B", "A<<B", "A\nB", "A;B", "A]B", "A:B", "é", "DB\u00A0PASS", "A\0", new string('A', 101),
    };

    [Theory]
    [MemberData(nameof(BadNames))]
    public void Names_outside_letters_digits_and_underscore_are_refused_in_both_systems(string name)
    {
        foreach (CiSystem system in new[] { CiSystem.AzureDevOps, CiSystem.GitHubActions, CiSystem.None })
        {
            var ex = Assert.Throws<InputRefusedException>(() => PipelineVariable.ValidateName(name, system, isOutput: false));
            Assert.Contains("letters, digits and '_'", ex.Message);
            Assert.Equal("InvalidPipelineVariable", ex.ErrorId);
        }
    }

    [Theory]
    [InlineData("DB_PASSWORD")]
    [InlineData("_x")]
    [InlineData("a1")]
    public void Plain_names_are_accepted(string name) => Assert.Equal(name, PipelineVariable.ValidateName(name, CiSystem.AzureDevOps, false));

    [Theory]
    [InlineData("secret_x")]
    [InlineData("SECRETX")]
    [InlineData("Endpoint1")]
    [InlineData("input_a")]
    [InlineData("PATH")]
    [InlineData("Path_extra")]
    [InlineData("securefile")]
    public void Azure_DevOps_reserved_prefixes_are_refused(string name)
    {
        var ex = Assert.Throws<InputRefusedException>(() => PipelineVariable.ValidateName(name, CiSystem.AzureDevOps, false));
        Assert.Contains("Azure DevOps hides", ex.Message);
    }

    [Theory]
    [InlineData("GITHUB_TOKEN")]
    [InlineData("github_x")]
    [InlineData("RUNNER_TEMP")]
    [InlineData("NODE_OPTIONS")]
    public void GitHub_own_variables_are_refused_for_the_environment_but_not_as_outputs(string name)
    {
        Assert.Throws<InputRefusedException>(() => PipelineVariable.ValidateName(name, CiSystem.GitHubActions, isOutput: false));
        Assert.Equal(name, PipelineVariable.ValidateName(name, CiSystem.GitHubActions, isOutput: true));
    }

    [Fact]
    public void Outside_both_systems_it_is_an_error()
    {
        var ex = Assert.Throws<NotInPipelineException>(() => PipelineVariable.Prepare(CiEnvironment.From(_ => null), "X", S("v"), false, false));
        Assert.Contains("TF_BUILD", ex.Message);
        Assert.Contains("GITHUB_ACTIONS", ex.Message);
        Assert.Contains("nothing was written", ex.Message);
    }

    [Fact]
    public void Both_systems_at_once_is_an_error()
    {
        var env = CiEnvironment.From(n => n is "TF_BUILD" or "GITHUB_ACTIONS" ? "true" : null);
        Assert.Contains("Both TF_BUILD", Assert.Throws<NotInPipelineException>(() => PipelineVariable.Prepare(env, "X", S("v"), false, false)).Message);
    }

    [Theory]
    [InlineData("line1\nline2")]
    [InlineData("line1\r\nline2")]
    [InlineData("line1\rline2")]
    [InlineData("trailing newline\n")]
    [InlineData("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n")]
    public void A_multi_line_secret_is_refused_with_the_certs_dir_alternative(string value)
    {
        var azure = Assert.Throws<InputRefusedException>(() => PipelineVariable.Prepare(Azure(), "KEY", S(value), secret: true, isOutput: false));
        Assert.Contains("line by line", azure.Message);
        Assert.Contains("-CertsDir (Join-Path $env:AGENT_TEMPDIRECTORY 'certs')", azure.Message);
        var github = Assert.Throws<InputRefusedException>(() => PipelineVariable.Prepare(GitHub(), "KEY", S(value), secret: true, isOutput: false));
        Assert.Contains("$env:RUNNER_TEMP", github.Message);
        Assert.DoesNotContain("MIIE", azure.Message + github.Message); // never the value itself
    }

    [Fact]
    public void A_multi_line_value_that_is_not_secret_is_allowed()
    {
        PipelineVariable v = PipelineVariable.Prepare(Azure(), "NOTES", S("a\nb"), secret: false, isOutput: false);
        Assert.False(v.IsSecret);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("\t ")]
    public void An_empty_or_blank_secret_is_refused(string value) =>
        Assert.Throws<InputRefusedException>(() => PipelineVariable.Prepare(Azure(), "X", S(value), secret: true, isOutput: false));

    [Fact]
    public void Values_beyond_an_environment_variable_are_refused()
    {
        Assert.Throws<InputRefusedException>(() => PipelineVariable.Prepare(Azure(), "X", S(new string('a', PipelineVariable.MaxValueLength + 1)), false, false));
        PipelineVariable.Prepare(Azure(), "X", S(new string('a', PipelineVariable.MaxValueLength)), false, false);
    }

    [Fact]
    public void GitHub_needs_its_file_variable_and_an_existing_folder()
    {
        Assert.Contains("GITHUB_ENV is not set", Assert.Throws<NotInPipelineException>(() => PipelineVariable.Prepare(GitHub(files: false), "X", S("v"), false, false)).Message);
        Assert.Contains("GITHUB_OUTPUT is not set", Assert.Throws<NotInPipelineException>(() => PipelineVariable.Prepare(GitHub(files: false), "X", S("v"), false, true)).Message);
        var missing = CiEnvironment.From(n => n switch { "GITHUB_ACTIONS" => "true", "GITHUB_ENV" => Path.Combine(_dir, "no", "such", "env"), _ => null });
        Assert.Throws<NotInPipelineException>(() => PipelineVariable.Prepare(missing, "X", S("v"), false, false));
        Assert.Equal(Path.Combine(_dir, "output"), PipelineVariable.Prepare(GitHub(), "X", S("v"), false, true).FilePath);
    }

    [Fact]
    public void The_description_for_WhatIf_never_holds_the_value()
    {
        PipelineVariable v = PipelineVariable.Prepare(GitHub(), "DB_PASSWORD", S("hunter2-value"), secret: true, isOutput: true);
        Assert.Equal("GitHub Actions output variable 'DB_PASSWORD' (secret, masked)", v.Description);
        Assert.DoesNotContain("hunter2", v.Description + v + v.Reference);
        Assert.Equal("${{ steps.<step id>.outputs.DB_PASSWORD }}", v.Reference);
        Assert.Equal("$(DB_PASSWORD)", PipelineVariable.Prepare(Azure(), "DB_PASSWORD", S("x"), true, false).Reference);
    }

    public static TheoryData<string> FileValues() => new()
    {
        "simple",
        "two\nlines",
        "EOF\nEOF",
        "X<<EOF\nEOF",
        "ghadelimiter_\nghadelimiter_0123456789abcdef0123456789abcdef",
        "\n",
        "",
        "ends with CR\r",
    };

    [Theory]
    [MemberData(nameof(FileValues))]
    public void A_GitHub_file_entry_reads_back_as_the_value(string value)
    {
        string entry = PipelineVariable.FileEntry("NAME", value);
        string nl = Environment.NewLine;
        Assert.StartsWith("NAME<<", entry);
        string delimiter = entry["NAME<<".Length..entry.IndexOf(nl, StringComparison.Ordinal)];
        Assert.DoesNotContain(delimiter, value);
        // The runner's reading: everything between the first line and the line that is exactly the delimiter.
        string body = entry[(entry.IndexOf(nl, StringComparison.Ordinal) + nl.Length)..];
        Assert.EndsWith(nl + delimiter + nl, body);
        Assert.Equal(value, body[..^(nl.Length + delimiter.Length + nl.Length)]);
    }

    [Fact]
    public void Each_entry_gets_a_fresh_delimiter()
    {
        var delimiters = Enumerable.Range(0, 50).Select(_ => PipelineVariable.Delimiter("v")).ToHashSet();
        Assert.Equal(50, delimiters.Count);
    }
}

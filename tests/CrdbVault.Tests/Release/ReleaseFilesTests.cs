using System.Collections;
using System.Text.RegularExpressions;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Release;

/// <summary>
/// What a release carries besides the code: the licence the manifest names, a changelog entry for
/// the version it ships, release notes that are that entry, and a module layout holding them. The
/// package itself is installed and used by tests/pester/Package.Tests.ps1.
/// </summary>
public sealed partial class ReleaseFilesTests
{
    private static string Root => PowerShellSession.RepoRoot;

    private static Hashtable Manifest()
    {
        using var session = new PowerShellSession();
        session.SetVariable("Path", Path.Combine(Root, "CrdbVault.psd1"));
        return (Hashtable)session.Run("Import-PowerShellDataFile -Path $Path").AssertSuccess().Output.Single().BaseObject;
    }

    private static Hashtable PsData(Hashtable manifest) => (Hashtable)((Hashtable)manifest["PrivateData"]!)["PSData"]!;

    [GeneratedRegex(@"^## (?<version>\S+)\s*$", RegexOptions.Multiline)]
    private static partial Regex VersionHeading();

    /// <summary>The text under "## version" up to the next heading.</summary>
    private static string ChangelogEntry(string version)
    {
        string text = File.ReadAllText(Path.Combine(Root, "CHANGELOG.md")).ReplaceLineEndings("\n");
        Match heading = VersionHeading().Matches(text).FirstOrDefault(m => m.Groups["version"].Value == version)
            ?? throw new Xunit.Sdk.XunitException($"CHANGELOG.md has no '## {version}' entry for the version the manifest ships.");
        Match next = VersionHeading().Match(text, heading.Index + heading.Length);
        return text[(heading.Index + heading.Length)..(next.Success ? next.Index : text.Length)].Trim();
    }

    [Fact]
    public void LICENSE_is_the_full_Apache_2_0_text_the_manifest_points_to()
    {
        string license = File.ReadAllText(Path.Combine(Root, "LICENSE"));
        Assert.Contains("Apache License", license);
        Assert.Contains("Version 2.0, January 2004", license);
        Assert.Contains("TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION", license);
        Assert.Contains("END OF TERMS AND CONDITIONS", license);
        Assert.True(license.Length > 10_000, "LICENSE is not the full text");

        Hashtable manifest = Manifest();
        Assert.EndsWith("/LICENSE", (string)PsData(manifest)["LicenseUri"]!);
        Assert.Contains("Apache License 2.0", (string)manifest["Copyright"]!);
    }

    [Fact]
    public void Release_notes_are_the_changelog_entry_of_the_shipped_version_and_name_every_cmdlet()
    {
        Hashtable manifest = Manifest();
        string version = (string)manifest["ModuleVersion"]!;
        string entry = ChangelogEntry(version);
        string notes = ((string)PsData(manifest)["ReleaseNotes"]!).ReplaceLineEndings("\n").Trim();

        Assert.Equal(entry, notes);
        foreach (string cmdlet in ((object[])manifest["CmdletsToExport"]!).Cast<string>())
            Assert.True(Regex.IsMatch(entry, $@"\b{Regex.Escape(cmdlet)}\b"), $"The {version} notes do not mention {cmdlet}, which ships.");
    }

    [Fact]
    public void Every_changelog_entry_is_a_version_once()
    {
        string text = File.ReadAllText(Path.Combine(Root, "CHANGELOG.md"));
        var versions = VersionHeading().Matches(text).Select(m => m.Groups["version"].Value).ToList();
        Assert.NotEmpty(versions);
        Assert.All(versions, v => Assert.True(Version.TryParse(v, out _), $"'## {v}' is not a version"));
        Assert.Equal(versions.Count, versions.Distinct().Count());
    }

    [Fact]
    public void The_built_module_carries_LICENSE_CHANGELOG_and_the_types_file()
    {
        string module = Path.Combine(Root, "out", "CrdbVault");
        foreach (string file in new[] { "LICENSE", "CHANGELOG.md", "CrdbVault.types.ps1xml", "CrdbVault.format.ps1xml", "CrdbVault.psd1" })
            Assert.True(File.Exists(Path.Combine(module, file)), $"out/CrdbVault/{file} is missing");
    }
}

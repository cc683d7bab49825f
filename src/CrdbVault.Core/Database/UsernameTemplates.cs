namespace CrdbVault.Core.Database;

/// <summary>Vault username templates that always yield a valid CockroachDB user name.</summary>
public static class UsernameTemplates
{
    /// <summary>
    /// The postgres plugin's default shape, made CockroachDB-safe: characters CockroachDB refuses in
    /// names (display names such as 'userpass-alice@corp') become '-', and the result is lower-cased,
    /// because CockroachDB folds every user name to lower case (docs/cockroachdb-notes.md#sql-users) and Vault's
    /// default revocation would then miss the role. At most 2+8+1+8+1+20+1+10 = 51 bytes, under 63.
    /// </summary>
    public const string CockroachDbSafe =
        "{{ printf \"v-%s-%s-%s-%s\" (.DisplayName | replace \"@\" \"-\" | replace \" \" \"-\" | replace \"/\" \"-\" | replace \":\" \"-\" | replace \"+\" " +
            "\"-\" | truncate 8) (.RoleName | truncate 8) (random 20) (unix_time) | truncate 63 | lowercase }}";
}

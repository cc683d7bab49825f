using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CrdbVault.Tests.Compatibility;
using CrdbVault.Tests.Infrastructure;
using Xunit;

namespace CrdbVault.Tests.Hostile;

/// <summary>
/// Issue 8, defect 5: help listed ClientCertificate as an input of New-CrdbDynamicCredential and
/// VaultDatabaseConnection as one of New-CrdbClientCert, whose UserName (Vault's admin user) bound
/// to -User. This test pipes one object of every output type (and a string, and an
/// X509Certificate2) into every cmdlet in the real engine, reads what PowerShell bound (the base
/// cmdlet says so under -Debug) or that it refused the object, and compares it with
/// <see cref="Expected"/>: the decision, per cmdlet, of what it takes from the pipeline. A second
/// test checks that each cmdlet's help INPUTS names exactly these types.
/// </summary>
[Collection("sandbox")]
public sealed class PipelineBindingTests(SandboxFixture sandbox)
{
    private const string Refused = "refused";

    /// <summary>
    /// The usual command line of each cmdlet (what is given besides the pipeline) and, per input type,
    /// the parameters the object binds; a row may name its own command line (another parameter set).
    /// A type not listed must be refused by PowerShell's binder. "*" means every type.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, (string CommandLine, IReadOnlyList<Row> Rows)> Expected =
        new Dictionary<string, (string, IReadOnlyList<Row>)>
        {
            // Connections are made, not piped in; Disconnect takes the connection to close.
            ["Connect-CrdbVault"] = ("", Binds()),
            ["Initialize-CrdbVaultJwtAuth"] = ("-Name x -Policy p -GitHubRepository o/r", Binds()),
            ["Connect-CrdbCloud"] = ("", Binds()),
            ["Disconnect-CrdbVault"] = ("", Binds((VaultConnection, "Vault"))),

            // Dynamic credentials. A role is re-applied or removed from Get-CrdbVaultRole's output;
            // credentials are issued from role names, roles, or earlier credentials of the same role.
            // A connection never binds as a role (its name is ConnectionName), a certificate never
            // as a database role (its PKI role is PkiRole).
            ["Initialize-CrdbVaultDatabase"] = ("-Name pg -ConnectionUrl postgresql://db:26257/defaultdb -Credential $Admin", Binds()),
            ["Set-CrdbVaultRole"] = ("", Binds((VaultDatabaseRole, "ConnectionName, MountPath, Name"))),
            ["Get-CrdbVaultRole"] = ("", Binds((VaultDatabaseRole, "Name"))),
            ["Remove-CrdbVaultRole"] = ("", Binds((VaultDatabaseRole, "MountPath, Name"))),
            ["New-CrdbDynamicCredential"] = ("", Binds((Text, "Role"), (VaultDatabaseRole, "MountPath, Role"), (DynamicCredential, "MountPath, Role"))),
            // Scoped use takes nothing from the pipeline: the block is the work, and a piped object would run it once per item.
            ["Use-CrdbDynamicCredential"] = ("-Role app -ScriptBlock $Block", Binds()),
            ["Test-CrdbConnection"] = ("-Server 127.0.0.1 -Port 1 -Timeout 1", [.. Binds((DynamicCredential, "Credential"), (StaticCredential, "Credential")),
                new Row(ClientCertificate, "User", "-Server 127.0.0.1 -Port 1 -Timeout 1 -CertsDir $Tmp")]),
            ["Get-CrdbConnectionString"] = ("-Server localhost", Binds((DynamicCredential, "Credential"), (StaticCredential, "Credential"))),

            // Static roles: their cmdlets take names, static roles and (to read or rotate) static
            // credentials, each by value through its Role; nothing of a dynamic role or credential,
            // whose Role and Name mean something else, and a static role never binds to the
            // dynamic-role cmdlets (it has no Name; New-CrdbDynamicCredential takes Role by value
            // from dynamic credentials and roles only).
            ["Set-CrdbVaultStaticRole"] = ("-RotationPeriod 1h", [.. Binds((VaultStaticRole, "ConnectionName, MountPath, Name, UserName")),
                new Row(Text, "Name", "-ConnectionName pg -UserName app -RotationPeriod 1h")]),
            ["Get-CrdbVaultStaticRole"] = ("", Binds((Text, "Name"), (VaultStaticRole, "Name"), (StaticCredential, "Name"))),
            ["Remove-CrdbVaultStaticRole"] = ("", Binds((Text, "Name"), (VaultStaticRole, "MountPath, Name"))),
            ["Get-CrdbStaticCredential"] = ("", Binds((Text, "Role"), (VaultStaticRole, "MountPath, Role"), (StaticCredential, "MountPath, Role"))),
            ["Reset-CrdbStaticCredential"] = ("", Binds((Text, "Role"), (VaultStaticRole, "MountPath, Role"), (StaticCredential, "MountPath, Role"))),

            // CI: a credential's Password becomes a secret pipeline variable.
            ["Set-CrdbPipelineVariable"] = ("-Name CRDB_PASSWORD", Binds((DynamicCredential, "Value"), (StaticCredential, "Value"))),

            // Leases: anything that carries a LeaseId. Revoke-CrdbLease also revokes a certificate
            // without a lease through its PKI mount (SerialNumber, MountPath); a CA does not bind
            // (its serial is CaSerialNumber), nor does an object with only a MountPath.
            ["Get-CrdbLease"] = ("", Binds((DynamicCredential, "LeaseId"), (VaultLease, "LeaseId"), (ClientCertificate, "LeaseId"))),
            ["Update-CrdbLease"] = ("", Binds((DynamicCredential, "LeaseId"), (VaultLease, "LeaseId"), (ClientCertificate, "LeaseId"))),
            ["Revoke-CrdbLease"] = ("", Binds((DynamicCredential, "LeaseId"), (VaultLease, "LeaseId"), (ClientCertificate, "LeaseId"),
                (ClientCertificate + NoLease, "MountPath, SerialNumber"), (NodeCertificate, "MountPath, SerialNumber"), (X509, "SerialNumber"))),

            // Certificates: client certificates are issued for user names or again for the user of
            // an earlier certificate (never for a connection's Username, Vault's admin user).
            ["Initialize-CrdbCertificateAuthority"] = ("-CommonName CA", Binds()),
            ["Get-CrdbCertificateAuthority"] = ("", Binds()),
            ["New-CrdbClientCert"] = ("", Binds((Text, "User"), (ClientCertificate, "User"), (ClientCertificate + NoLease, "User"))),
            ["New-CrdbNodeCert"] = ("-Hosts localhost", Binds()),
            ["Set-CrdbCertificateIssuerPolicy"] = ("-Name p -User app", Binds()),
            ["Revoke-CrdbCertificate"] = ("", Binds((ClientCertificate, "MountPath, SerialNumber"), (ClientCertificate + NoLease, "MountPath, SerialNumber"),
                (NodeCertificate, "MountPath, SerialNumber"), (X509, "SerialNumber"))),

            // CockroachDB Cloud: cluster ids (text, or any status object of a cluster). -Certificate
            // and -KeySpec take any object by design (the cmdlet reads PEM/Certificate or
            // Region/Type/Uri/AuthPrincipal from it and refuses what has none).
            ["Set-CrdbClientCaCert"] = ("-ClusterId $ClusterId", Binds((Any, "Certificate"), (CertificateAuthority, "Certificate, Pem"), (ClientCaCertStatus, "Certificate, Pem"))),
            ["Get-CrdbClientCaCert"] = ("", Binds((Text, "ClusterId"), (ClientCaCertStatus, "ClusterId"), (CmekStatus, "ClusterId"), (CmekRegionStatus, "ClusterId"))),
            ["Remove-CrdbClientCaCert"] = ("", Binds((ClientCaCertStatus, "ClusterId"), (CmekStatus, "ClusterId"), (CmekRegionStatus, "ClusterId"))),
            ["New-CrdbCmekKey"] = ("-Name k -Provider awskms -KmsName a", Binds()),
            ["New-CrdbCmekRegionSpec"] = ("", Binds((CmekKeySpec, "AuthPrincipal, Region, Type, Uri"))),
            ["Set-CrdbCmek"] = ("-ClusterId $ClusterId", Binds((Any, "KeySpec"))),
            ["Get-CrdbCmek"] = ("", Binds((Text, "ClusterId"), (ClientCaCertStatus, "ClusterId"), (CmekStatus, "ClusterId"), (CmekRegionStatus, "ClusterId"))),
            ["Revoke-CrdbCmek"] = ("", Binds((ClientCaCertStatus, "ClusterId"), (CmekStatus, "ClusterId"), (CmekRegionStatus, "ClusterId"))),

            // Store keys: a StoreKey object is restored from what it carries.
            ["New-CrdbStoreKey"] = ("-Path k.key", Binds()),
            ["Restore-CrdbStoreKey"] = ("", Binds((StoreKey, "InputObject"))),
        };

    private const string Text = "System.String", X509 = "System.Security.Cryptography.X509Certificates.X509Certificate2", Any = "*";
    private const string NoLease = " (no lease)";
    private const string CertificateAuthority = "CrdbVault.CertificateAuthority", ClientCaCertStatus = "CrdbVault.ClientCaCertStatus",
        ClientCertificate = "CrdbVault.ClientCertificate", CmekKeySpec = "CrdbVault.CmekKeySpec", CmekRegionStatus = "CrdbVault.CmekRegionStatus",
        CmekStatus = "CrdbVault.CmekStatus", DynamicCredential = "CrdbVault.DynamicCredential", NodeCertificate = "CrdbVault.NodeCertificate",
        StoreKey = "CrdbVault.StoreKey", VaultConnection = "CrdbVault.VaultConnection", VaultDatabaseRole = "CrdbVault.VaultDatabaseRole",
        VaultLease = "CrdbVault.VaultLease", VaultStaticRole = "CrdbVault.VaultStaticRole", StaticCredential = "CrdbVault.StaticCredential";

    /// <summary>An input type and what it binds; <paramref name="CommandLine"/> replaces the cmdlet's usual one.</summary>
    public sealed record Row(string Type, string Binds, string? CommandLine = null);

    private static IReadOnlyList<Row> Binds(params (string Type, string Parameters)[] rows) => rows.Select(r => new Row(r.Type, r.Parameters)).ToList();

    /// <summary>One object of each type users meet, built with plausible values (no request is made: the session is not connected).</summary>
    private const string SampleScript = """
        function New-Sample([string]$TypeName, [hashtable]$Values) {
            $t = [type]$TypeName
            $o = [Activator]::CreateInstance($t)
            foreach ($k in $Values.Keys) { $t.GetProperty($k).SetValue($o, $Values[$k]) }
            $o
        }
        $secret = [System.Net.NetworkCredential]::new('', 'pw-sample').SecurePassword
        $Admin = [pscredential]::new('vaultadmin', $secret)
        $now = [DateTimeOffset]::UtcNow
        $Samples = [ordered]@{
            'System.String' = 'app'
            'System.Security.Cryptography.X509Certificates.X509Certificate2' = $Cert
            'CrdbVault.CertificateIssuerPolicy' = New-Sample CrdbVault.CertificateIssuerPolicy @{ PolicyName = 'payments-issuer'; MountPath = 'cockroach_client_ca'; PkiRole = 'client'; Users = [string[]]@('app'); Rules = 'path "x" {}' }
            'CrdbVault.CertificateAuthority' = New-Sample CrdbVault.CertificateAuthority @{ MountPath = 'cockroach_client_ca'; CommonName = 'CA'; CaSerialNumber = '1d:2f'; NotBefore = $now; NotAfter = $now; Thumbprint = $Cert.Thumbprint; Pem = $CaPem; Certificate = $Cert }
            'CrdbVault.ClientCaCertStatus' = New-Sample CrdbVault.ClientCaCertStatus @{ ClusterId = $ClusterId; Status = 'IS_SET'; Pem = $CaPem }
            'CrdbVault.ClientCertificate' = New-Sample CrdbVault.ClientCertificate @{ User = 'app'; MountPath = 'cockroach_client_ca'; PkiRole = 'client'; SerialNumber = '1d:2f'; NotAfter = $now; Thumbprint = $Cert.Thumbprint; Certificate = $Cert; LeaseId = 'cockroach_client_ca/issue/client/AbCd' }
            'CrdbVault.ClientCertificate (no lease)' = New-Sample CrdbVault.ClientCertificate @{ User = 'app'; MountPath = 'cockroach_client_ca'; PkiRole = 'client'; SerialNumber = '1d:31'; NotAfter = $now; Thumbprint = $Cert.Thumbprint; Certificate = $Cert }
            'CrdbVault.CloudConnection' = $CloudConnection
            'CrdbVault.CmekKeySpec' = New-Sample CrdbVault.CmekKeySpec @{ Region = 'us-east-1'; Type = 'AWS_KMS'; Uri = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'; AuthPrincipal = 'arn:aws:iam::111122223333:role/crdb' }
            'CrdbVault.CmekRegionStatus' = New-Sample CrdbVault.CmekRegionStatus @{ ClusterId = $ClusterId; Region = 'us-east-1'; Status = 'ENABLED'; KeyType = 'AWS_KMS'; Uri = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab' }
            'CrdbVault.CmekStatus' = New-Sample CrdbVault.CmekStatus @{ ClusterId = $ClusterId; Status = 'ENABLED' }
            'CrdbVault.ConnectionTestResult' = New-Sample CrdbVault.ConnectionTestResult @{ Server = 'localhost'; Port = 26257; Database = 'defaultdb'; UserName = 'app'; ServerVersion = 'v24'; IsCockroachDb = $true; Latency = [TimeSpan]::Zero; AuthenticationMethod = 'password' }
            'CrdbVault.DynamicCredential' = New-Sample CrdbVault.DynamicCredential @{ Role = 'app'; MountPath = 'database'; UserName = 'v-app-x'; Password = $secret; Credential = [pscredential]::new('v-app-x', $secret); LeaseId = 'database/creds/app/AbCd'; LeaseDuration = [TimeSpan]::FromHours(1); Renewable = $true; IssuedAt = $now; ExpiresAt = $now }
            'CrdbVault.NodeCertificate' = New-Sample CrdbVault.NodeCertificate @{ Hosts = [string[]]@('localhost'); MountPath = 'cockroach_client_ca'; PkiRole = 'node'; SerialNumber = '1d:30'; NotAfter = $now; Thumbprint = $Cert.Thumbprint; Certificate = $Cert }
            'CrdbVault.StoreKey' = New-Sample CrdbVault.StoreKey @{ Path = [IO.Path]::Combine($Tmp, 'store.key'); KeyId = ('ab' * 32); KeySize = 256; TransitMount = 'transit'; TransitKey = 'cockroach-ear'; Ciphertext = 'vault:v1:AAAA'; RecoveryRecordPath = [IO.Path]::Combine($Tmp, 'store.key.vault.json'); CreatedAt = $now }
            'CrdbVault.VaultConnection' = $VaultConnection
            'CrdbVault.VaultDatabaseConnection' = New-Sample CrdbVault.VaultDatabaseConnection @{ ConnectionName = 'pg'; MountPath = 'database'; PluginName = 'postgresql-database-plugin'; ConnectionUrl = 'postgresql://{{username}}:{{password}}@db:26257/defaultdb'; Username = 'vaultadmin' }
            'CrdbVault.VaultDatabaseRole' = New-Sample CrdbVault.VaultDatabaseRole @{ Name = 'app'; ConnectionName = 'pg'; MountPath = 'database' }
            'CrdbVault.VaultLease' = New-Sample CrdbVault.VaultLease @{ LeaseId = 'database/creds/app/AbCd' }
            'CrdbVault.VaultStaticRole' = New-Sample CrdbVault.VaultStaticRole @{ Role = 'etl'; ConnectionName = 'pg'; MountPath = 'database'; UserName = 'etl_user'; RotationPeriod = [TimeSpan]::FromHours(24) }
            'CrdbVault.VaultJwtAuthRole' = New-Sample CrdbVault.VaultJwtAuthRole @{ JwtRole = 'deploy'; AuthMount = 'jwt-github'; Kind = 'GitHubActions'; Issuer = 'https://token.actions.githubusercontent.com'; BoundAudiences = [string[]]@('https://github.com/o'); BoundClaims = @{ repository = 'o/r' }; UserClaim = 'sub'; Policies = [string[]]@('p') }
            'CrdbVault.StaticCredential' = New-Sample CrdbVault.StaticCredential @{ Role = 'etl'; MountPath = 'database'; UserName = 'etl_user'; Password = $secret; Credential = [pscredential]::new('etl_user', $secret); RotationPeriod = [TimeSpan]::FromHours(24) }
        }
        """;

    /// <summary>Pipes each sample into the cmdlet and says what bound: "Param1, Param2" (sorted), or "refused".</summary>
    private const string ProbeScript = """
        $result = [ordered]@{}
        foreach ($name in $Samples.Keys) {
            if ($Only -and $name -notin $Only) { continue }
            $errors = [System.Collections.Generic.List[object]]::new()
            $debug = [System.Collections.Generic.List[string]]::new()
            try {
                $Samples[$name] | & $Cmdlet @CommandLine -Debug -ErrorAction SilentlyContinue -ErrorVariable +errors -WarningAction SilentlyContinue 5>&1 2>$null | ForEach-Object {
                    if ($_ -is [System.Management.Automation.DebugRecord]) { $debug.Add($_.Message) }
                }
            } catch {
                $errors.Add($_)
            }
            $bound = @($debug | Where-Object { $_ -like 'Pipeline input bound *' } | ForEach-Object { $_.Substring(21).TrimEnd('.') -split ', ' | ForEach-Object { $_.TrimStart('-') } })
            $bindingError = @($errors | Where-Object { "$($_.FullyQualifiedErrorId)" -match '^(InputObjectNotBound|InputObjectMissingMandatory|AmbiguousParameterSet|ParameterArgumentTransformationError|ParameterArgumentValidationError|InputObjectNotBound)' })
            if ($bound.Count -gt 0 -and $bindingError.Count -eq 0) {
                $names = [string[]]$bound
                [Array]::Sort($names, [StringComparer]::OrdinalIgnoreCase)
                $result[$name] = $names -join ', '
            } elseif ($bindingError.Count -gt 0) {
                $result[$name] = 'refused'
            } else {
                $result[$name] = 'nothing bound: ' + (@($errors | ForEach-Object { "$($_.FullyQualifiedErrorId)" }) -join '; ')
            }
        }
        $result
        """;

    private PowerShellSession Session(string tmp)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Binding Test CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        X509Certificate2 cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var ps = new PowerShellSession(new Dictionary<string, object?>
        {
            ["VaultAddress"] = sandbox.World.VaultAddress,
            ["RootToken"] = sandbox.World.RootToken,
            ["CloudServer"] = sandbox.World.CloudAddress,
            ["CloudApiKey"] = sandbox.World.CloudApiKey,
            ["ClusterId"] = sandbox.World.CloudClusterId,
            ["Cert"] = cert,
            ["CaPem"] = cert.ExportCertificatePem(),
            ["Tmp"] = tmp,
            ["Block"] = System.Management.Automation.ScriptBlock.Create("'the block ran'"),
        });
        // Connections exist as objects but are not the session default: whatever binds, no request can follow.
        ps.Run("""
            $VaultConnection = Connect-CrdbVault -Address $VaultAddress -Token ([System.Net.NetworkCredential]::new('', $RootToken).SecurePassword) -NoDefault
            $CloudConnection = Connect-CrdbCloud -ServerUrl $CloudServer -ApiKey ([System.Net.NetworkCredential]::new('', $CloudApiKey).SecurePassword) -SkipVerify -NoDefault
            """).AssertSuccess();
        ps.Run(SampleScript).AssertSuccess();
        return ps;
    }

    [Fact]
    public void Every_output_type_binds_to_every_cmdlet_exactly_as_the_table_says()
    {
        string tmp = Directory.CreateTempSubdirectory("crdbvault-binding-").FullName;
        try
        {
            using PowerShellSession ps = Session(tmp);
            long vaultBefore = sandbox.World.Vault.RequestLog.Total, cloudBefore = sandbox.World.Cloud.TotalRequests;
            var problems = new List<string>();
            var observedTable = new System.Text.StringBuilder();
            foreach (string cmdlet in PesterFilesTests.ReadExportedCmdlets())
            {
                if (!Expected.TryGetValue(cmdlet, out var expected))
                {
                    problems.Add($"{cmdlet}: not in the table; decide what it takes from the pipeline");
                    continue;
                }
                observedTable.AppendLine($"[\"{cmdlet}\"]");
                foreach (string? commandLine in expected.Rows.Select(r => r.CommandLine).Distinct().Prepend(null).Distinct())
                {
                    var rows = expected.Rows.Where(r => r.CommandLine == commandLine).ToList();
                    ps.SetVariable("Cmdlet", cmdlet);
                    ps.SetVariable("CommandLine", ps.Run($"$a = @{{}}; {CommandLineToSplat(commandLine ?? expected.CommandLine)}; $a").AssertSuccess().Output.Single().BaseObject);
                    ps.SetVariable("Only", commandLine is null ? null : rows.Select(r => r.Type).ToArray());
                    ScriptResult r = ps.Run(ProbeScript);
                    var observed = (System.Collections.Specialized.OrderedDictionary)r.Output.Single().BaseObject;
                    foreach (System.Collections.DictionaryEntry row in observed)
                    {
                        string type = (string)row.Key, got = (string)row.Value!;
                        string want = rows.FirstOrDefault(x => x.Type == type)?.Binds ?? rows.FirstOrDefault(x => x.Type == Any)?.Binds ?? Refused;
                        if (got != Refused) observedTable.AppendLine($"    [\"{type}\"] = \"{got}\",{(commandLine is null ? "" : " // " + commandLine)}");
                        if (got != want) problems.Add($"{cmdlet} {commandLine ?? expected.CommandLine} <- {type}: expected {want}, PowerShell did {got}");
                    }
                }
            }
            Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n\nObserved:\n" + observedTable);
            Assert.Equal(vaultBefore, sandbox.World.Vault.RequestLog.Total);
            Assert.Equal(cloudBefore, sandbox.World.Cloud.TotalRequests);
        }
        finally
        {
            Directory.Delete(tmp, recursive: true);
        }
    }

    [Fact]
    public void Each_cmdlets_help_INPUTS_names_exactly_the_types_the_table_says_bind()
    {
        using var ps = new PowerShellSession();
        var problems = new List<string>();
        foreach ((string cmdlet, (string _, IReadOnlyList<Row> rows)) in Expected)
        {
            ScriptResult r = ps.Run($"@((Get-Help {cmdlet} -Full).inputTypes.inputType | ForEach-Object {{ \"$($_.type.name)\" }})").AssertSuccess();
            var help = r.Output.Select(o => o.ToString()).ToHashSet(StringComparer.Ordinal);
            var moduleTypesInHelp = help.Where(t => t.StartsWith("CrdbVault.", StringComparison.Ordinal)).ToHashSet();
            bool takesAnything = rows.Any(x => x.Type == Any);
            var moduleTypesThatBind = takesAnything ? [] : rows.Select(x => x.Type.Replace(NoLease, "")).Where(t => t.StartsWith("CrdbVault.", StringComparison.Ordinal)).ToHashSet();
            if (!moduleTypesInHelp.SetEquals(moduleTypesThatBind))
                problems.Add($"{cmdlet}: help INPUTS list {string.Join(", ", moduleTypesInHelp.Order())}; what binds: {string.Join(", ", moduleTypesThatBind.Order())}");
            if (takesAnything && !help.Overlaps(["System.Object", "System.Management.Automation.PSObject[]"]))
                problems.Add($"{cmdlet}: takes any object, but help INPUTS do not say so ({string.Join(", ", help)})");
            if (rows.Any(x => x.Type == Text) && !help.Overlaps(["System.String", "System.String[]"]))
                problems.Add($"{cmdlet}: takes text from the pipeline, but help INPUTS list no string ({string.Join(", ", help)})");
            if (rows.Count == 0 && !help.SetEquals(["None"]))
                problems.Add($"{cmdlet}: takes nothing from the pipeline, but help INPUTS list {string.Join(", ", help)}");
        }
        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    /// <summary>"-Name x -Flag" as statements filling the hashtable $a (values are literal words).</summary>
    private static string CommandLineToSplat(string commandLine)
    {
        var parts = commandLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var statements = new List<string>();
        for (int i = 0; i < parts.Length; i++)
        {
            string name = parts[i].TrimStart('-');
            bool hasValue = i + 1 < parts.Length && !parts[i + 1].StartsWith('-');
            statements.Add(!hasValue ? $"$a['{name}'] = $true" : parts[++i].StartsWith('$') ? $"$a['{name}'] = {parts[i]}" : $"$a['{name}'] = '{parts[i]}'");
        }
        return string.Join("; ", statements);
    }
}

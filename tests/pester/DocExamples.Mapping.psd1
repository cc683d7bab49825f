# The docs test's ONE mapping table: how the example world of README.md and docs/**/*.md (hosts,
# paths, prompts, the environment a job would have) maps onto the run's sandbox (`serve`).
# tests/pester/DocExamples.Tests.ps1 reads it; docs/testing.md ("Docs as tests") explains it.
# Teach the test a new example host or path HERE, never with a special case for one block.
#
# {NAME} in a value is filled per docs file:
#   {VAULT_ADDR}            the Vault double                {TOKEN}      a token made for this file (root policy,
#   {SQL_HOST} {SQL_PORT}   the TLS-only PostgreSQL                      a child of the root token: revoking it
#   {SQL_CA} {SQL_CA_PEM}   its CA: path / PEM text                      ends only this file's leases)
#   {COCKROACH_SERVER} {COCKROACH_API_KEY}   the Cloud API double
#   {VAULT_ROLE_ID} {VAULT_SECRET_ID}        the AppRole serve prepared (crdb-runbook)
#   {HOME}                  a fresh home folder for the file (HOME, so ~ is there)
#   {ROOT}                  a fresh folder standing in for / (absolute paths of the docs live below it)
#   {NEW_CLUSTER}           a fresh Cloud cluster (nothing set)                                    made only when
#   {STAGING_CLUSTER}       another fresh Cloud cluster                                            a block of the
#   {CMEK_CLUSTER}          a cluster with CMEK ENABLED and the sandbox CA as client CA (IS_SET)   file needs it
#   {LEASE}                 a live lease of database/creds/app, issued with {TOKEN}
#   {KMS_SECRET}            a random string (the simulated KMSs take any credential)
#   {PIPELINE_ROLE_ID} {PIPELINE_SECRET_ID}  the AppRole PipelineAppRole below (made when needed)
#   {<KEY>}                 any other text of serve's info file ({SYSTEM_OIDCREQUESTURI}, ...)
#   {SYSTEM_OIDCREQUESTURI} {SYSTEM_ACCESSTOKEN} {ACTIONS_ID_TOKEN_REQUEST_URL} {ACTIONS_ID_TOKEN_REQUEST_TOKEN}
#   {IDENTITY_ENDPOINT} {IDENTITY_HEADER} {IMDS_ENDPOINT}   a secretless job's environment (the identity double)
#   {ADO_ORG_ID} {ADO_PROJECT_ID} {ADO_CONNECTION_ID} {ENTRA_TENANT_ID} {ENTRA_SUBJECT} {AZ_SUBSCRIPTION_ID}
#   {AZ_AUTOMATION_ID} {USERPASS_PASSWORD}   the ids and the userpass user (dba) serve's secretless roles pin
@{
    # Literal text replaced in every ```powershell block and pipeline step (script and env:), top to
    # bottom: put a longer text before a shorter one it contains (crdb.example.com:26257 first).
    Text = @(
        @{ Docs = 'https://vault.example.com:8200'; Sandbox = '{VAULT_ADDR}' }
        @{ Docs = 'https://vault-dr.example.com:8200'; Sandbox = '{VAULT_ADDR}' }
        @{ Docs = 'crdb.example.com:26257'; Sandbox = '{SQL_HOST}:{SQL_PORT}' }
        @{ Docs = 'crdb-eu.example.com:26257'; Sandbox = '{SQL_HOST}:{SQL_PORT}' }
        @{ Docs = 'crdb.example.com'; Sandbox = '{SQL_HOST}' }
        @{ Docs = 'db.example.com'; Sandbox = '{SQL_HOST}' }
        @{ Docs = '9b3f0c2e-7d41-4a8e-b1f6-0e2c5d7a9f10'; Sandbox = '{NEW_CLUSTER}' }
        # The made-up Azure DevOps organisation, Entra tenant and Azure resources of the secretless examples.
        @{ Docs = '/subscriptions/5e1c2a7b-3f48-4d9e-a6b0-8c2d4e6f1a3b/resourceGroups/rg-crdb/providers/Microsoft.Automation/automationAccounts/aa-crdb'; Sandbox = '{AZ_AUTOMATION_ID}' }
        @{ Docs = '5e1c2a7b-3f48-4d9e-a6b0-8c2d4e6f1a3b'; Sandbox = '{AZ_SUBSCRIPTION_ID}' }
        @{ Docs = '3c6f8a1d-2b4e-4f7a-9d0c-5e8b1a4d7c2f'; Sandbox = '{ADO_ORG_ID}' }
        @{ Docs = '7a2d5f8c-1e3b-4c6d-8f0a-2b5c8e1f4a7d'; Sandbox = '{ADO_PROJECT_ID}' }
        @{ Docs = 'e4b7c0d3-6a9f-4b2e-8c5d-1f4a7b0e3c6d'; Sandbox = '{ADO_CONNECTION_ID}' }
        @{ Docs = '9d2a5c8f-4b7e-4a1d-b3c6-0e9f2a5d8b1c'; Sandbox = '{ENTRA_TENANT_ID}' }
        @{ Docs = '/eid1/c/pub/t/copied-from-the-service-connection'; Sandbox = '{ENTRA_SUBJECT}' }
        # Paths on the Vault server: the sandbox's own files (they outlive one docs file).
        @{ Docs = '/etc/vault/crdb-ca.crt'; Sandbox = '{SQL_CA}' }
        @{ Docs = '/etc/vault/crdb-eu-ca.crt'; Sandbox = '{SQL_CA}' }
        @{ Docs = '/etc/'; Sandbox = '{ROOT}/etc/' }
        @{ Docs = '/var/lib/'; Sandbox = '{ROOT}/var/lib/' }
        @{ Docs = '/backup/'; Sandbox = '{ROOT}/backup/' }
        @{ Docs = '/mnt/'; Sandbox = '{ROOT}/mnt/' }
    )

    # The environment each file runs in (what a shell, runbook or pipeline job would have). VAULT_TOKEN
    # is not set: the token is in ~/.vault-token, where `vault login` leaves it. Every file runs as a
    # step of an Azure DevOps job (TF_BUILD, the agent's temp folder): the module registers each secret
    # for masking and Set-CrdbPipelineVariable writes its variables as logging commands on the file's
    # pwsh's standard output, which the test captures as an agent would read it (and masks when it
    # prints it). A caller's own CI variables (TF_BUILD, GITHUB_*, AGENT_*, RUNNER_*) never reach it.
    Environment = @{
        VAULT_ADDR         = '{VAULT_ADDR}'
        COCKROACH_SERVER   = '{COCKROACH_SERVER}'
        COCKROACH_API_KEY  = '{COCKROACH_API_KEY}'
        VAULT_ROLE_ID      = '{VAULT_ROLE_ID}'
        VAULT_SECRET_ID    = '{VAULT_SECRET_ID}'
        CRDB_HOST          = '{SQL_HOST}'
        CRDB_CLUSTER_ID    = '{CMEK_CLUSTER}'
        STAGING_CLUSTER_ID = '{STAGING_CLUSTER}'
        CRDB_LEASE         = '{LEASE}'
        TF_BUILD            = 'True'
        AGENT_TEMPDIRECTORY = '{ROOT}/agent/_temp'
        # What the job's platform gives a secretless login (Azure DevOps, GitHub Actions, Azure Automation).
        SYSTEM_OIDCREQUESTURI          = '{SYSTEM_OIDCREQUESTURI}'
        SYSTEM_ACCESSTOKEN             = '{SYSTEM_ACCESSTOKEN}'
        ACTIONS_ID_TOKEN_REQUEST_URL   = '{ACTIONS_ID_TOKEN_REQUEST_URL}'
        ACTIONS_ID_TOKEN_REQUEST_TOKEN = '{ACTIONS_ID_TOKEN_REQUEST_TOKEN}'
        IDENTITY_ENDPOINT              = '{IDENTITY_ENDPOINT}'
        IDENTITY_HEADER                = '{IDENTITY_HEADER}'
        CRDBVAULT_IMDS_ENDPOINT        = '{IMDS_ENDPOINT}'
    }

    # $PSDefaultParameterValues of each file's session: the docs leave -Port at CockroachDB's 26257.
    ParameterDefaults = @{
        'Test-CrdbConnection:Port'      = '{SQL_PORT}'
        'Get-CrdbConnectionString:Port' = '{SQL_PORT}'
    }

    # Commands run before the first block: the cmdlet examples assume a connected session.
    Session = @('Connect-CrdbVault', 'Connect-CrdbCloud')

    # What a user types at Read-Host prompts (-like pattern on the prompt text).
    Prompts = @{
        '*Vault token*' = '{TOKEN}'
        '*API key*'     = '{COCKROACH_API_KEY}'
        '*Vault password*' = '{USERPASS_PASSWORD}'
    }

    # Get-Credential. A SQL user listed under SqlUsers gets a NEW password through the sandbox's admin
    # connection, and the prompt is answered with it, as a DBA hands one out; note that this breaks a
    # Vault connection still configured with that user's old password (give each connection its own
    # admin, as Initialize-CrdbVaultDatabase's examples do). Any other Get-Credential (a KMS provider's
    # access key) gets OtherCredential.
    SqlUsers        = @('vault_admin', 'vault_admin_eu', 'app_admin')
    OtherCredential = @{ UserName = 'sandbox-kms-access-key'; Password = '{KMS_SECRET}' }

    # Get-AutomationVariable -Name <name> (Azure Automation's own command, in runbooks).
    AutomationVariables = @{
        VaultRoleId   = '{VAULT_ROLE_ID}'
        VaultSecretId = '{VAULT_SECRET_ID}'
    }

    # Folders made private (0700) before a file runs: ~ = {HOME}, / = {ROOT}, ./ = the file's working folder.
    Directories = @(
        '~/.cockroach-certs'
        '/var/lib/cockroach'
        '/var/lib/cockroach-keys'
        '/backup/keys'
        '/etc/app'
        '/mnt/spare'
        '/mnt/newdisk/cockroach-keys'
        '/mnt/node2/cockroach-keys'
        '/agent/_temp'
        './keys'
    )

    # Files written before a file runs (secret ones 0600). A file whose text needs a "made only when
    # needed" value is written only when a block of the docs file names it (by its file name).
    Files = @{
        '~/.vault-token'             = '{TOKEN}'
        '~/.cockroach-certs/ca.crt'  = '{SQL_CA_PEM}'
        './ca.crt'                   = '{SQL_CA_PEM}'
        './certs/ca.crt'             = '{SQL_CA_PEM}'
        '/etc/ssl/vault-dr-ca.pem'   = '{SQL_CA_PEM}'
        './cluster-ids.txt'          = "{NEW_CLUSTER}`n{CMEK_CLUSTER}`n"
        './cmek-keys.csv'            = @'
Region,Type,Uri,AuthPrincipal
us-east-1,AWS_KMS,arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab,arn:aws:iam::111122223333:role/crdb-cmek
us-west-2,AWS_KMS,arn:aws:kms:us-west-2:111122223333:key/2234abcd-12ab-34cd-56ef-1234567890ab,arn:aws:iam::111122223333:role/crdb-cmek
eu-west-1,AWS_KMS,arn:aws:kms:eu-west-1:111122223333:key/3234abcd-12ab-34cd-56ef-1234567890ab,arn:aws:iam::111122223333:role/crdb-cmek
'@
        './cmek.yaml'                = @'
region_specs:
  - region: us-east-1
    key_spec:
      type: AWS_KMS
      uri: arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab
      auth_principal: arn:aws:iam::111122223333:role/crdb-cmek
  - region: us-west-2
    key_spec:
      type: AWS_KMS
      uri: arn:aws:kms:us-west-2:111122223333:key/2234abcd-12ab-34cd-56ef-1234567890ab
      auth_principal: arn:aws:iam::111122223333:role/crdb-cmek
  - region: eu-west-1
    key_spec:
      type: AWS_KMS
      uri: arn:aws:kms:eu-west-1:111122223333:key/3234abcd-12ab-34cd-56ef-1234567890ab
      auth_principal: arn:aws:iam::111122223333:role/crdb-cmek
'@
    }

    # Vault objects every file starts with, written with the sandbox's root token before the file runs
    # (as an operator would; an update of an object that is there changes nothing). serve prepares the
    # same ones (tests/CrdbVault.Sandbox/ServeSetup.cs), but an example may remove one
    # (Remove-CrdbVaultStaticRole -Name reporting), and a file never sees another file's removals.
    VaultWrites = @(
        @{ Path = 'database/static-roles/reporting'; Body = @{ db_name = 'crdb'; username = 'report_reader'; rotation_period = '24h' } }
        @{ Path = 'database/static-roles/etl'; Body = @{ db_name = 'crdb'; username = 'etl_loader'; rotation_schedule = '0 3 * * *'; rotation_window = '1h' } }
    )

    # The regions of every Cloud cluster made for a file: those of the sandbox's seeded cluster
    # (COCKROACH_CLUSTER_ID), which the docs' CMEK examples give one key each.
    ClusterRegions = @('us-east-1', 'us-west-2', 'eu-west-1')

    # The ```yaml blocks that are pipelines (tests/pester/DocPipelines.ps1) run step by step, each step in
    # a new pwsh as an agent runs it, in a world of their own (folders and Files as above, the working
    # folder holding ./out = the built module). What a job gets from outside its YAML is set here:
    #   Agent            the environment the agent or runner gives every step ({ROOT}/ is the fake root;
    #                    any key of serve's info file is a {NAME}); TempVariable names the temp folder
    #   AzureDevOps      Variables: pipeline variables, $(Name) in the YAML and, not being secret, in every
    #                    step's environment as NAME (. -> _); SecretVariables: the same but secret (masked
    #                    from the start, in no environment unless a step maps them with env:)
    #   GitHub           Vars: ${{ vars.X }}; Secrets: ${{ secrets.X }} (masked from the start)
    Pipelines = @{
        AzureDevOps = @{
            Agent           = @{
                TF_BUILD              = 'True'
                AGENT_TEMPDIRECTORY   = '{ROOT}/agent/_temp'
                # Predefined for every job; the token it needs is $(System.AccessToken), mapped by the step.
                SYSTEM_OIDCREQUESTURI = '{SYSTEM_OIDCREQUESTURI}'
            }
            TempVariable    = 'AGENT_TEMPDIRECTORY'
            Variables       = @{
                VaultAddr   = '{VAULT_ADDR}'
                VaultRoleId = '{VAULT_ROLE_ID}'
                CRDB_HOST   = '{SQL_HOST}'
            }
            SecretVariables = @{
                VaultSecretId        = '{VAULT_SECRET_ID}'
                'System.AccessToken' = '{SYSTEM_ACCESSTOKEN}'
            }
        }
        GitHub      = @{
            Agent        = @{
                GITHUB_ACTIONS                 = 'true'
                RUNNER_TEMP                    = '{ROOT}/runner/_temp'
                # What a job with `permissions: id-token: write` gets.
                ACTIONS_ID_TOKEN_REQUEST_URL   = '{ACTIONS_ID_TOKEN_REQUEST_URL}'
                ACTIONS_ID_TOKEN_REQUEST_TOKEN = '{ACTIONS_ID_TOKEN_REQUEST_TOKEN}'
            }
            TempVariable = 'RUNNER_TEMP'
            # The GitHub example (docs/ci-pipelines.md) reads a static credential and issues a client
            # certificate: its role is PipelineAppRole, not serve's crdb-runbook (dynamic credentials only).
            Vars         = @{
                VAULT_ADDR    = '{VAULT_ADDR}'
                VAULT_ROLE_ID = '{PIPELINE_ROLE_ID}'
                CRDB_HOST     = '{SQL_HOST}'
            }
            Secrets      = @{
                VAULT_SECRET_ID = '{PIPELINE_SECRET_ID}'
            }
        }
    }

    # An AppRole for the pipelines whose jobs go beyond serve's crdb-runbook, with the policy
    # docs/ci-pipelines.md asks for (about_CrdbVault_Policies' jobs): dynamic and static credentials,
    # revoking leases, issuing client certificates from cockroach_client_ca.
    PipelineAppRole = @{
        Name   = 'crdb-docs-pipeline'
        Policy = @'
path "database/creds/*" { capabilities = ["read"] }
path "database/static-creds/*" { capabilities = ["read"] }
path "sys/leases/revoke" { capabilities = ["update"] }
path "cockroach_client_ca/issue/client" { capabilities = ["create", "update"] }
'@
    }

    # How long one docs file (or one pipeline step) may run before its pwsh is stopped (and its remaining blocks fail).
    FileTimeoutSeconds = 180
}

namespace CrdbVault.Sandbox.Cloud;

/// <summary>
/// The client CA status machine of one cluster (docs/cockroachdb-notes.md#client-ca-certificate): NOT_SET → PENDING → IS_SET
/// (or FAILED), and IS_SET → PENDING → NOT_SET on delete. A change answers PENDING at once; the
/// transition is applied lazily when the state is next read after its due time. Callers hold the
/// cluster's lock.
/// </summary>
public sealed class ClientCaCertMachine
{
    private string? _pem;                 // the certificate currently in force
    private string _status = "NOT_SET";
    private Pending? _pending;

    private sealed record Pending(DateTimeOffset DueAt, string? TargetPem, string? FailWith);

    /// <summary>Puts a certificate in force at once (test setup).</summary>
    public void Seed(string pem)
    {
        _pem = pem;
        _status = "IS_SET";
        _pending = null;
    }

    public bool IsPending(DateTimeOffset now)
    {
        Advance(now);
        return _pending is not null;
    }

    /// <summary>Status and PEM as GET shows them: the PEM is "" while PENDING (docs).</summary>
    public (string Status, string Pem) Read(DateTimeOffset now)
    {
        Advance(now);
        return (_status, _status == "PENDING" ? "" : _pem ?? "");
    }

    /// <summary>POST: only when no certificate is in force.</summary>
    public void Set(string pem, DateTimeOffset now, TimeSpan delay, string? failWith)
    {
        Advance(now);
        if (_pending is not null)
            throw CloudDoubleError.Exists("a client CA cert update is already in progress");
        if (_pem is not null)
            throw CloudDoubleError.Exists("a client CA cert is already set for this cluster; use PATCH to update it");
        Start(pem, now, delay, failWith);
    }

    /// <summary>PATCH: only when a certificate is in force.</summary>
    public void Update(string pem, DateTimeOffset now, TimeSpan delay, string? failWith)
    {
        Advance(now);
        if (_pending is not null)
            throw CloudDoubleError.Precondition("a client CA cert update is already in progress");
        if (_pem is null)
            throw CloudDoubleError.Precondition("no client CA cert is set for this cluster; use POST to set one");
        Start(pem, now, delay, failWith);
    }

    /// <summary>DELETE: 404 when there is nothing to delete (Terraform reads that as "already gone").</summary>
    public void Delete(DateTimeOffset now, TimeSpan delay, string? failWith)
    {
        Advance(now);
        if (_pending is not null)
            throw CloudDoubleError.Precondition("a client CA cert update is already in progress");
        if (_pem is null)
            throw CloudDoubleError.NotFound("no client CA cert is set for this cluster");
        Start(null, now, delay, failWith);
    }

    private void Start(string? targetPem, DateTimeOffset now, TimeSpan delay, string? failWith)
    {
        _status = "PENDING";
        _pending = new Pending(now + delay, targetPem, failWith);
    }

    private void Advance(DateTimeOffset now)
    {
        if (_pending is null || now < _pending.DueAt) return;
        if (_pending.FailWith is not null)
        {
            _status = "FAILED"; // the certificate in force (if any) stays in force
        }
        else
        {
            _pem = _pending.TargetPem;
            _status = _pem is null ? "NOT_SET" : "IS_SET";
        }
        _pending = null;
    }
}

using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;

namespace CrdbVault.Infrastructure;

/// <summary>
/// The session defaults set by Connect-CrdbVault / Connect-CrdbCloud, one set per runspace (so
/// parallel runspaces, ForEach-Object -Parallel and tests do not see each other's connection).
/// </summary>
internal static class ConnectionStore
{
    private sealed class Slot
    {
        internal VaultConnection? Vault;
        internal object? Cloud;
        internal readonly List<VaultConnection> Renewing = [];
        internal bool WatchesRunspace;
    }

    private static readonly ConditionalWeakTable<Runspace, Slot> Slots = new();
    private static readonly Slot NoRunspace = new();

    private static Slot Current => Runspace.DefaultRunspace is Runspace rs ? Slots.GetValue(rs, _ => new Slot()) : NoRunspace;

    internal static VaultConnection? Vault
    {
        get => Current.Vault;
        set => Current.Vault = value;
    }

    /// <summary>
    /// Starts the connection's background renewal and stops it when this runspace closes (a renewal loop must not
    /// outlive the runspace that made it: a closed runspace's connections are unreachable and would renew forever).
    /// </summary>
    internal static void StartRenewal(VaultConnection connection)
    {
        connection.Session.StartBackgroundRenewal();
        if (Runspace.DefaultRunspace is not Runspace rs) return;
        Slot slot = Current;
        lock (slot)
        {
            slot.Renewing.Add(connection);
            if (slot.WatchesRunspace) return;
            slot.WatchesRunspace = true;
        }
        rs.StateChanged += (_, e) =>
        {
            if (e.RunspaceStateInfo.State is not (RunspaceState.Closing or RunspaceState.Closed or RunspaceState.Broken)) return;
            VaultConnection[] all;
            lock (slot)
            {
                all = [.. slot.Renewing];
                slot.Renewing.Clear();
            }
            foreach (VaultConnection c in all) c.Session.StopBackgroundRenewal();
        };
    }

    /// <summary>Disconnect-CrdbVault: stops the background renewal and forgets the connection.</summary>
    internal static void StopRenewal(VaultConnection connection)
    {
        connection.Session.StopBackgroundRenewal();
        Slot slot = Current;
        lock (slot) slot.Renewing.Remove(connection);
    }

    /// <summary>The default Cloud connection (typed by the Cloud cmdlets).</summary>
    internal static object? Cloud
    {
        get => Current.Cloud;
        set => Current.Cloud = value;
    }
}

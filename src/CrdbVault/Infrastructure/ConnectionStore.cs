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
    }

    private static readonly ConditionalWeakTable<Runspace, Slot> Slots = new();
    private static readonly Slot NoRunspace = new();

    private static Slot Current => Runspace.DefaultRunspace is Runspace rs ? Slots.GetValue(rs, _ => new Slot()) : NoRunspace;

    internal static VaultConnection? Vault
    {
        get => Current.Vault;
        set => Current.Vault = value;
    }

    /// <summary>The default Cloud connection (typed by the Cloud cmdlets).</summary>
    internal static object? Cloud
    {
        get => Current.Cloud;
        set => Current.Cloud = value;
    }
}

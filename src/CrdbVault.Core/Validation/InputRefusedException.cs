namespace CrdbVault.Core.Validation;

/// <summary>
/// A Core check refused the input before anything was sent or written, and names the stable error id
/// scripts catch (e.g. InvalidStaticRoleArgument). The cmdlets' one error mapping reports it with that
/// id, so no cmdlet catches ArgumentException to pick an id (docs/contributing.md).
/// </summary>
public sealed class InputRefusedException(string message, string errorId, string? paramName = null) : ArgumentException(message, paramName)
{
    public string ErrorId { get; } = errorId;
}

using CrdbVault.Core.Files;

namespace CrdbVault.Core.Settings;

/// <summary>
/// The one place where tests reach inside the module: every setting a test needs that a user never
/// sets (the knobs users and out-of-process tests set are environment variables, read in
/// <see cref="ModuleSettings"/> and listed in docs/settings.md). Each hook is an AsyncLocal, so a
/// test changes only its own flow and parallel tests do not see each other's hooks.
/// </summary>
internal static class InternalHooks
{
    /// <summary>Replaces the socket handlers of every HTTP pipeline built while it is set (scripted answers).</summary>
    internal static readonly AsyncLocal<HttpMessageHandler?> HttpHandler = new();

    /// <summary>
    /// Called after every step of <see cref="SecretFileWriter.WriteAll"/>. An exception thrown from it
    /// propagates WITHOUT any clean-up, as if the process died right there; the crash tests then check
    /// what the next run finds.
    /// </summary>
    internal static readonly AsyncLocal<Action<WriteStep>?> AfterFileStep = new();

    /// <summary>Sets <see cref="HttpHandler"/> until the returned scope is disposed.</summary>
    internal static IDisposable UseHttpHandler(HttpMessageHandler handler) => Use(HttpHandler, handler);

    private static IDisposable Use<T>(AsyncLocal<T?> hook, T value) where T : class
    {
        T? before = hook.Value;
        hook.Value = value;
        return new Restore(() => hook.Value = before);
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }
}

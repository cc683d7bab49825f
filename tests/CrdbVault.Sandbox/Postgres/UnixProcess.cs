using System.Diagnostics;
using System.Text;

namespace CrdbVault.Sandbox.Postgres;

/// <summary>
/// Runs PostgreSQL's tools as the right user: PostgreSQL refuses to run as root, so when we are
/// root the commands run as "postgres" through setpriv (which can also set a parent-death signal).
/// </summary>
internal static class UnixProcess
{
    public const string ServiceUser = "postgres";

    /// <summary>Environment.UserName reads the effective uid's passwd entry on Unix.</summary>
    public static bool IsRoot { get; } = !OperatingSystem.IsWindows() && Environment.UserName == "root";

    /// <summary>A start info that runs <paramref name="file"/> as postgres when we are root, else as ourselves.</summary>
    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, string workingDirectory, string? parentDeathSignal = null)
    {
        var psi = new ProcessStartInfo { WorkingDirectory = workingDirectory, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true };
        bool setpriv = IsRoot || parentDeathSignal is not null;
        if (setpriv && File.Exists("/usr/bin/setpriv"))
        {
            psi.FileName = "/usr/bin/setpriv";
            if (IsRoot)
            {
                psi.ArgumentList.Add("--reuid=" + ServiceUser);
                psi.ArgumentList.Add("--regid=" + ServiceUser);
                psi.ArgumentList.Add("--init-groups");
            }
            if (parentDeathSignal is not null) psi.ArgumentList.Add("--pdeathsig=" + parentDeathSignal);
            psi.ArgumentList.Add("--");
            psi.ArgumentList.Add(file);
        }
        else if (IsRoot)
        {
            psi.FileName = "runuser";
            foreach (string a in new[] { "-u", ServiceUser, "--", file }) psi.ArgumentList.Add(a);
        }
        else psi.FileName = file;
        foreach (string a in args) psi.ArgumentList.Add(a);
        if (IsRoot) psi.Environment["HOME"] = workingDirectory;
        return psi;
    }

    /// <summary>Runs a tool to completion; throws with its output when it fails.</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> args, string workingDirectory, TimeSpan timeout, bool asServiceUser = true)
    {
        ProcessStartInfo psi = asServiceUser ? StartInfo(file, args, workingDirectory)
            : new ProcessStartInfo(file, args) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        if (psi.RedirectStandardInput) process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try { await process.WaitForExitAsync(cts.Token).ConfigureAwait(false); }
        catch (OperationCanceledException)
        {
            try { process.Kill(true); } catch (InvalidOperationException) { }
            throw new TimeoutException($"{Path.GetFileName(file)} did not finish within {timeout.TotalSeconds:0} s");
        }
        string output = new StringBuilder().Append(await stdout.ConfigureAwait(false)).Append(await stderr.ConfigureAwait(false)).ToString();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{Path.GetFileName(file)} failed (exit {process.ExitCode}): {output.Trim()}");
        return output;
    }

    /// <summary>Hands a file or directory tree to the postgres user (only when we are root).</summary>
    public static Task ChownToServiceUserAsync(string path) =>
        IsRoot ? RunAsync("chown", ["-R", $"{ServiceUser}:{ServiceUser}", path], "/", TimeSpan.FromSeconds(30), asServiceUser: false) : Task.CompletedTask;
}

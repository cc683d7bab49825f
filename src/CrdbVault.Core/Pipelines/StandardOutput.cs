using System.Text;

namespace CrdbVault.Core.Pipelines;

/// <summary>
/// The process's standard output (file descriptor 1) itself, not <see cref="Console.Out"/> and not the
/// PowerShell host: logging commands must reach the CI agent, and must NOT land in a transcript
/// (Start-Transcript records what goes through the host) or in the pipeline's output stream.
/// </summary>
public static class StandardOutput
{
    private static readonly object Gate = new();
    private static Stream? _stream;

    /// <summary>
    /// Writes whole lines in one write each (so another writer cannot split a command), UTF-8
    /// without a byte-order mark, and flushes. Anything the host buffered in Console.Out is flushed
    /// first so the order on the agent's side is the order of the calls.
    /// </summary>
    public static void WriteLines(IEnumerable<string> lines)
    {
        lock (Gate)
        {
            _stream ??= Console.OpenStandardOutput();
            Console.Out.Flush();
            foreach (string line in lines)
            {
                byte[] bytes = Utf8.GetBytes(line + Environment.NewLine);
                _stream.Write(bytes, 0, bytes.Length);
            }
            _stream.Flush();
        }
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
}
